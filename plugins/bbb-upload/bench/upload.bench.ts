/**
 * pnpm bench (bbb-upload): the package `pnpm build` ships, started as in the tests (https, SQLite, local storage,
 * the BigBlueButton double that downloads every document), measured against baselines taken in the same run:
 * - a 30 MB upload, as a ratio to a plain file-system stream copy of the same bytes, and the service's resident
 *   memory growth during it (goal: 32 MB or less);
 * - 20 uploads of 1 MB at once;
 * - a document download through its signed link, as a ratio to a plain file read;
 * - the service's own time to start a meeting with 5 documents (the request's time less the create call's, which
 *   is the double's: its downloads of the documents), p50 and p99;
 * - meeting starts per second when 300 classes start at once (8:00), 30 at a time.
 * Usage: pnpm bench (after pnpm build)
 */
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { UserAgent } from '@apps-education/testkit';
import { startServiceUnderTest } from '../test/integration/service.js';

const MB = 1_000_000;
const pdf = (size: number) => {
  const head = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n');
  const tail = Buffer.from('\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  return Buffer.concat([head, Buffer.alloc(size - head.length - tail.length, 0x20), tail]);
};
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};
const rssOf = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

const service = await startServiceUnderTest({
  config: `database: { type: sqlite, path: /tmp/bbb-upload-bench-${process.pid}.db }\nlimits: { uploadsPerMinute: 10000, startsPerMinute: 10000 }\ndocuments: { maxBytes: 30000000, maxPerRoom: 50, linkMinutes: 10 }\n`,
});
const storage = join(service.dir.path, 'documents');
try {
  const alice = await service.signIn('alice');
  const cookie = (agent: UserAgent) =>
    [...agent.cookies(new URL(service.url).host)].map(([k, v]) => `${k}=${v}`).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec((await alice.request(`${service.url}/rooms`)).body)?.[1] ?? '';
  const newRoom = async (name: string) => {
    const created = await alice.request(`${service.url}/rooms`, { form: { _csrf: token, name } });
    return new URL(created.location ?? '', service.url).pathname;
  };
  const upload = async (roomPath: string, name: string, bytes: Buffer) => {
    const response = await service.fetch(`${service.url}${roomPath}/documents?filename=${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': token, cookie: cookie(alice) },
      body: bytes,
    });
    if (response.status !== 201) throw new Error(`upload ${name}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const pid = service.process.child.pid ?? 0;

  // 1. One 30 MB upload against a plain stream copy of the same bytes.
  const big = pdf(29_900_000);
  const source = join(service.dir.path, 'bench-source.pdf');
  writeFileSync(source, big);
  const copies: number[] = [];
  const uploads: number[] = [];
  let rssGrowth = 0;
  const room = await newRoom('Bench');
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    await pipeline(createReadStream(source), createWriteStream(join(service.dir.path, 'bench-copy.pdf')));
    copies.push(big.length / ((performance.now() - t) / 1000));
    const rssBefore = rssOf(pid);
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid));
    }, 20);
    t = performance.now();
    await upload(room, `gros-${round}.pdf`, big);
    uploads.push(big.length / ((performance.now() - t) / 1000));
    clearInterval(sampler);
    rssGrowth = Math.max(rssGrowth, peak - rssBefore);
  }
  const median = (v: number[]) => quantile(v, 0.5);
  console.log(
    `30 MB upload: ${(median(uploads) / MB).toFixed(1)} MB/s (${(median(uploads) / median(copies)).toFixed(2)} vs a file-system stream copy at ${(median(copies) / MB).toFixed(0)} MB/s); resident memory growth ${(rssGrowth / MB).toFixed(1)} MB (goal <= 32)`,
  );

  // 2. 20 uploads at once.
  const small = pdf(1 * MB);
  const parallelRoom = await newRoom('Bench parallel');
  let t = performance.now();
  await Promise.all(Array.from({ length: 20 }, (_, i) => upload(parallelRoom, `doc-${i}.pdf`, small)));
  const parallelMs = performance.now() - t;
  console.log(
    `20 uploads of 1 MB at once: ${parallelMs.toFixed(0)} ms (${((20 * MB) / MB / (parallelMs / 1000)).toFixed(1)} MB/s)`,
  );

  // 3. Download through a signed link against a plain file read.
  await alice.request(`${service.url}${room}/start`, { form: { _csrf: token } });
  const meeting = [...service.bbb.meetings.values()].find((m) => m.name === 'Bench');
  const link = meeting?.documents[0]?.url ?? '';
  // The stored file behind that link: the one of the 30 MB document's size.
  const { readdirSync, statSync } = await import('node:fs');
  const stored = join(storage, readdirSync(storage).find((f) => statSync(join(storage, f)).size === big.length) ?? '');
  const reads: number[] = [];
  const downloads: number[] = [];
  for (let round = 0; round < 5; round++) {
    t = performance.now();
    const bytes = await readFile(stored);
    reads.push(bytes.length / ((performance.now() - t) / 1000));
    t = performance.now();
    const body = Buffer.from(await (await service.fetch(link)).arrayBuffer());
    downloads.push(body.length / ((performance.now() - t) / 1000));
  }
  console.log(
    `document download: ${(median(downloads) / MB).toFixed(0)} MB/s (${(median(downloads) / median(reads)).toFixed(2)} vs a plain file read at ${(median(reads) / MB).toFixed(0)} MB/s)`,
  );

  // 4. The service's own time to start a meeting with 5 documents.
  const createSeconds = async () => {
    const text = await (await fetch(`${service.monitoringUrl}/metrics`)).text();
    return Number(
      /bbb_upload_bbb_call_duration_seconds_sum\{call="create",outcome="ok"\} ([0-9.e+-]+)/.exec(text)?.[1] ?? 0,
    );
  };
  const own: number[] = [];
  for (let i = 0; i < 40; i++) {
    const roomPath = await newRoom(`Classe ${i}`);
    for (let d = 0; d < 5; d++) await upload(roomPath, `d${d}.pdf`, pdf(50_000));
    const before = await createSeconds();
    t = performance.now();
    const started = await alice.request(`${service.url}${roomPath}/start`, { form: { _csrf: token } });
    const total = performance.now() - t;
    if (started.status !== 303) throw new Error(`start: ${started.status}`);
    own.push(total - ((await createSeconds()) - before) * 1000);
  }
  console.log(
    `start with 5 documents, service time: p50 ${quantile(own, 0.5).toFixed(1)} ms, p99 ${quantile(own, 0.99).toFixed(1)} ms`,
  );

  // 5. 300 classes at 8:00.
  const rooms: string[] = [];
  for (let i = 0; i < 300; i++) {
    const roomPath = await newRoom(`8h ${i}`);
    await upload(roomPath, 'cours.pdf', pdf(20_000));
    rooms.push(roomPath);
  }
  let next = 0;
  t = performance.now();
  await Promise.all(
    Array.from({ length: 30 }, async () => {
      while (next < rooms.length) {
        const roomPath = rooms[next++];
        const started = await alice.request(`${service.url}${roomPath}/start`, { form: { _csrf: token } });
        if (started.status !== 303) throw new Error(`start: ${started.status}`);
      }
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  console.log(
    `300 classes starting at once (30 at a time): ${(300 / seconds).toFixed(1)} starts/s, all in ${seconds.toFixed(1)} s`,
  );
} finally {
  await service.close();
}

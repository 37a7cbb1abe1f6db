import { freePort, type OidcProviderHandle, startRoundRobin } from '@apps-education/testkit';
import { type BridgeUnderTest, startBridgeUnderTest } from './bridge.js';

/** Two bridge processes on one shared store behind a round-robin balancer: the public URL is the balancer's. */
export interface BridgePair {
  readonly a: BridgeUnderTest;
  readonly b: BridgeUnderTest;
  readonly publicUrl: string;
  readonly hits: number[];
  close(): Promise<void>;
}

export async function startBridgePair(options: {
  registry: string;
  idp: OidcProviderHandle;
  store: Record<string, unknown>;
  /** Where both bridges' JSON logs go. */
  logStream?: NodeJS.WritableStream;
}): Promise<BridgePair> {
  const lbPort = await freePort();
  const publicUrl = `http://127.0.0.1:${lbPort}/cas`;
  const a = await startBridgeUnderTest({ ...options, publicUrl });
  const b = await startBridgeUnderTest({ ...options, publicUrl, registerClient: false });
  const lb = await startRoundRobin(lbPort, [
    Number(new URL(a.bridge.address).port),
    Number(new URL(b.bridge.address).port),
  ]);
  return {
    a,
    b,
    publicUrl,
    hits: lb.hits,
    async close() {
      lb.close();
      await a.close();
      await b.close();
    },
  };
}

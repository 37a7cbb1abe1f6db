import S3rver from 's3rver';
import { tempDir } from './tmp.js';

export interface S3Peer {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly bucket: string;
  close(): Promise<void>;
}

/**
 * S3-compatible object storage for tests: s3rver (npm; no MinIO here) on 127.0.0.1 with one bucket, path-style, its
 * own fixed credentials. It takes multipart uploads from @aws-sdk/lib-storage as S3 does.
 */
export async function startS3(options: { bucket?: string } = {}): Promise<S3Peer> {
  const dir = await tempDir('s3rver-');
  const bucket = options.bucket ?? 'documents';
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir.path,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = (await server.run()) as unknown as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    bucket,
    async close() {
      await server.close();
      await dir.remove();
    },
  };
}

import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  // Every subpath entry of package.json's exports (test/package/exports.test.ts checks they all build).
  entry: Object.fromEntries(Object.entries({
    index: 'src/index.ts',
    etcd: 'src/etcd/index.ts',
    consul: 'src/consul/index.ts',
    zookeeper: 'src/zookeeper/index.ts',
    eureka: 'src/eureka/index.ts',
    grpc: 'src/grpc/index.ts',
    undici: 'src/undici/index.ts',
  }).filter(([, file]) => existsSync(file))),
  // The peers are the user's own installs, never bundled.
  external: ['etcd3', 'node-zookeeper-client', '@grpc/grpc-js', 'undici'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
});

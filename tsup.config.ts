import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    etcd: 'src/etcd/index.ts',
    consul: 'src/consul/index.ts',
    zookeeper: 'src/zookeeper/index.ts',
    eureka: 'src/eureka/index.ts',
    grpc: 'src/grpc/index.ts',
    undici: 'src/undici/index.ts',
  },
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

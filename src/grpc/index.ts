// bulwark/grpc: grpc-js calls behind bulwark's pipeline, gRPC health checks, and a grpc-js resolver bridge.
// @grpc/grpc-js (~1.14) is an optional peer dependency: install it to use this entry point.
export { createGrpcClient } from './client.js';
export type { GrpcClientOptions, GrpcCallOptions, GrpcServiceClient, GrpcMethods, UnaryMethod, ServerStreamMethod, ClientStreamMethod, BidiStreamMethod, ServiceClientConstructor } from './client.js';
export type { RequestMessages } from './streams.js';
export { DEFAULT_CODES } from './codes.js';
export type { GrpcCodeOptions } from './codes.js';
export { CHANNEL_DEFAULTS } from './channels.js';
export { registerGrpcResolver, RESOLVER_SCHEME, SUPPORTED_GRPC_MINOR } from './resolver.js';
export type { GrpcResolverOptions, GrpcResolverRegistration } from './resolver.js';

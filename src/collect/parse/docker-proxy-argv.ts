// The parser lives with the owner model (src/owners/docker-proxy-argv.ts), which judges the same argv.
export { isDockerProxy, parseDockerProxyArgv } from '../../owners/docker-proxy-argv.js';

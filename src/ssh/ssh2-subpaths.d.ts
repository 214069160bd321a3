// ssh2's own files, imported one by one (ssh2-client.ts); @types/ssh2 types only its index.
declare module 'ssh2/lib/client.js' {
  const client: unknown;
  export default client;
}
declare module 'ssh2/lib/protocol/keyParser.js' {
  const keyParser: unknown;
  export default keyParser;
}

// The one place the version lives in code; test/unit/package.test.ts checks it equals package.json's.
export const VERSION = '0.1.0';

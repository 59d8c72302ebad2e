// The payload every sealing benchmark uses: a session as start-guard lays it out (145 bytes of
// JSON), so all peers seal and unseal the same bytes.
export const sessionPayload = {
  sid: 'Q2hhcmxlcyBCYWJiYWdlIQ',
  uid: 'user_0193d2a4',
  cms: 1795618593123,
  at: 1795618593,
  d: { name: 'Ada Lovelace', roles: ['admin', 'editor'] },
};

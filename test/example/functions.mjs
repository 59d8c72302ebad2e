// Every server function of the example, its method, and whether it is public (src/start.ts).
export const FUNCTIONS = {
  getSession: { method: 'GET', public: true },
  register: { method: 'POST', public: true },
  createAccount: { method: 'POST', public: true },
  signIn: { method: 'POST', public: true },
  signOut: { method: 'POST', public: true },
  requestPasswordReset: { method: 'POST', public: true },
  checkResetLink: { method: 'GET', public: true },
  completePasswordReset: { method: 'POST', public: true },
  signOutEverywhere: { method: 'POST', public: false },
  confirmPassword: { method: 'POST', public: false },
  changePassword: { method: 'POST', public: false },
  listNotes: { method: 'GET', public: false },
  addNote: { method: 'POST', public: false },
  adminOverview: { method: 'GET', public: false },
};
// A payload each protected function would accept, so a refusal is the guard's, not the validator's.
export const SAMPLE = {
  confirmPassword: { password: 'whatever-password' },
  changePassword: { password: 'a-new-password-123' },
  addNote: { body: 'a note' },
};

export { hashPassword, verifyPassword, checkPasswordRules, PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH } from './password.js';
export { lockDurationMs, FREE_LOGIN_FAILURES } from './lockout.js';

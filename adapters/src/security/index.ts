/**
 * Security for the master and agents: the security file, authentication from
 * headers, authorization rules and TLS options. Explicit export list.
 */
export { loadSecurityConfig, parseSecurityConfig } from './securityConfig.js';
export type { AuthorizationRules, Credential, OperatorCallRule, PrincipalRule, RoleRule, SecurityConfig } from './securityConfig.js';
export { SecurityConfigError } from './configReader.js';
export { AGENT_CHALLENGE, authenticateAgent, CHALLENGE, createAuthenticator } from './authenticate.js';
export type { Authentication, Authenticator, Headers } from './authenticate.js';
export { authorize, checkFrameworkPrincipal, roleMatches } from './authorize.js';
export type { Action, Authorization } from './authorize.js';
export { httpsOptionsFromFiles } from './tlsOptions.js';
export type { HttpsServerOptions, TlsFlags, TlsSetup } from './tlsOptions.js';

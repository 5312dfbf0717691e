/**
 * The closed list of API key roles and what each may do. Routes name a permission, never a role, so
 * adding a role or a route changes this one file (and one line of the role-matrix test).
 */
export const API_ROLES = ['risk', 'product', 'service', 'ops', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/**
 * Permission → roles holding it. Product keys never hold a customer-level permission (customer
 * risk, flags, scores); service keys may score and read a customer's risk but not decide.
 */
export const API_PERMISSIONS = {
  'customer-risk:read': ['risk', 'service', 'admin'],
  'risk:score': ['risk', 'service', 'admin'],
  'flags:read': ['risk', 'admin'],
  'flags:decide': ['risk', 'admin'],
  'quality:read': ['product', 'risk', 'ops', 'admin'],
  'ops:read': ['ops', 'admin'],
  'jobs:read': ['risk', 'product', 'ops', 'admin'],
  'quarantine:read': ['ops', 'admin'],
  'status:read': ['ops', 'admin'],
  'models:read': ['risk', 'admin'],
  'models:manage': ['admin'],
  'keys:manage': ['admin'],
  'audit:read': ['admin'],
} as const satisfies Record<string, readonly ApiRole[]>;

export type ApiPermission = keyof typeof API_PERMISSIONS;

export function isApiRole(value: string): value is ApiRole {
  return (API_ROLES as readonly string[]).includes(value);
}

/**
 * Whether a role holds a permission.
 * @example
 * roleHasPermission('product', 'flags:read'); // false
 */
export function roleHasPermission(role: ApiRole, permission: ApiPermission): boolean {
  return (API_PERMISSIONS[permission] as readonly ApiRole[]).includes(role);
}

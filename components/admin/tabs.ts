/** The admin page's tabs, shared by the server page (which reads `?tab=`) and the client panel. */
export const ADMIN_TABS = [
  { id: 'users', label: 'Users' },
  { id: 'rooms', label: 'Rooms' },
  { id: 'audit', label: 'Audit log' },
  { id: 'settings', label: 'Settings' },
] as const;
export type AdminTab = (typeof ADMIN_TABS)[number]['id'];

export function isAdminTab(value: unknown): value is AdminTab {
  return ADMIN_TABS.some((t) => t.id === value);
}

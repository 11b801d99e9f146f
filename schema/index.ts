export * from "./roles";
export * from "./tenants";
export * from "./tenant-hostnames";
export * from "./users";
export * from "./memberships";
export * from "./audit-events";

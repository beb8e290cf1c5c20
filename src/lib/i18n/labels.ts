// Words for the contract's enumerations, in the interface language.
import type { NodeLevel, Role } from '$lib/shared/enums';
import { m } from '$lib/paraglide/messages';

const ROLE_LABELS: Record<Role, () => string> = {
	grid_worker: m.role_grid_worker,
	community_head: m.role_community_head,
	street_officer: m.role_street_officer,
	county_officer: m.role_county_officer,
	city_officer: m.role_city_officer,
	province_officer: m.role_province_officer,
	kiosk: m.role_kiosk,
	volunteer: m.role_volunteer,
	admin: m.role_admin
};

const LEVEL_LABELS: Record<NodeLevel, () => string> = {
	province: m.level_province,
	city: m.level_city,
	county: m.level_county,
	street: m.level_street,
	community: m.level_community,
	grid: m.level_grid
};

export function roleLabel(role: Role): string {
	return ROLE_LABELS[role]();
}

export function levelLabel(level: NodeLevel): string {
	return LEVEL_LABELS[level]();
}

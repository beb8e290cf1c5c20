// Bulk rows for tests, through the write path as the seed and imports add them.
import type { NewHousehold, NewResident, Store } from '../../server/store/types';
import { SYSTEM } from '../../server/write';
import { insertRoster } from '../../server/write/roster';

const clock = () => ({ now: new Date(), timeZone: 'Asia/Shanghai' });

export const addHouseholds = (store: Store, households: NewHousehold[]) =>
	insertRoster(store, SYSTEM, { households }, clock());

export const addResidents = (store: Store, residents: NewResident[]) =>
	insertRoster(store, SYSTEM, { residents }, clock());

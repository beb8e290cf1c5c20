import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskLandline, maskName, maskPhone } from './mask';

describe('masking', () => {
	it.each([
		['11010519491231002X', '110105********002X'],
		['12345', '*****']
	])('ID %s → %s', (id, masked) => expect(maskIdNumber(id)).toBe(masked));

	it.each([
		['13812345678', '138****5678'],
		['1381234', '*******']
	])('phone %s → %s', (phone, masked) => expect(maskPhone(phone)).toBe(masked));

	it.each([
		['0771-1234567', '0771-***4567'],
		['010-12345678', '010-****5678'],
		['0771-1234567-801', '0771-***4567']
	])('landline %s → %s', (landline, masked) => expect(maskLandline(landline)).toBe(masked));

	it.each([
		['张三', '张*'],
		['张小明', '张*明'],
		['欧阳小明', '欧**明'],
		['李', '李']
	])('name %s → %s', (name, masked) => expect(maskName(name)).toBe(masked));
});

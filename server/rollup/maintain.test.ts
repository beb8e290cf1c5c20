import { describe, expect, it } from 'vitest';
import {
	abnormalResidentsOf,
	addQuestionFigures,
	questionSubjectsOf,
	roundsCovering,
	templateRoundsOf,
	type RoundSpan
} from './maintain';

const county = {
	id: 'county',
	divisionCode: '450102',
	startDate: '2026-11-01',
	dueDate: '2026-11-30',
	templateId: 'tpl'
};
const community = {
	id: 'community',
	divisionCode: '450102001003',
	startDate: '2026-11-20',
	dueDate: '2026-11-25',
	templateId: null
};
const otherCounty = {
	id: 'other',
	divisionCode: '450103',
	startDate: '2026-11-01',
	dueDate: '2026-11-30',
	templateId: 'tpl'
};
const province = {
	id: 'province',
	divisionCode: '45',
	startDate: '2026-12-01',
	dueDate: '2026-12-01',
	templateId: 'other-tpl'
};
const ROUNDS: RoundSpan[] = [county, community, otherCounty, province];

const ids = (communityCode: string, day: string) =>
	roundsCovering(ROUNDS, communityCode, day).map((r) => r.id);

describe('roundsCovering', () => {
	it('takes the rounds of the community and of its ancestors whose dates cover the day', () => {
		expect(ids('450102001003', '2026-11-22')).toEqual(['county', 'community']);
		expect(ids('450102001004', '2026-11-22')).toEqual(['county']);
		expect(ids('450103002001', '2026-11-22')).toEqual(['other']);
		expect(ids('110105001001', '2026-11-22')).toEqual([]);
	});

	it('counts the start and due dates as days of the round', () => {
		expect(ids('450102001003', '2026-11-20')).toEqual(['county', 'community']);
		expect(ids('450102001003', '2026-11-25')).toEqual(['county', 'community']);
		expect(ids('450102001003', '2026-11-19')).toEqual(['county']);
		expect(ids('450102001003', '2026-11-26')).toEqual(['county']);
		expect(ids('450102001003', '2026-12-01')).toEqual(['province']);
		expect(ids('450102001003', '2026-10-31')).toEqual([]);
	});
});

describe('abnormalResidentsOf', () => {
	it('takes residents found abnormal by a check or by an answer asked per resident', () => {
		const checks = [
			{ residentId: 'a', temperature: 37.5 },
			{ residentId: 'b', temperature: 36.5 },
			{ residentId: 'c', abnormal: true }
		];
		const answers = [
			{ residentId: 'b', key: 'fever', value: true, abnormal: true },
			{ residentId: 'd', key: 'fever', value: false, abnormal: false },
			{ key: 'relocate', value: true, abnormal: true },
			{ residentId: 'a', key: 'cough', value: true, abnormal: true }
		];
		expect(abnormalResidentsOf(checks, answers).sort()).toEqual(['a', 'b', 'c']);
		expect(abnormalResidentsOf([], answers).sort()).toEqual(['a', 'b']);
		expect(abnormalResidentsOf(checks).sort()).toEqual(['a', 'c']);
	});
});

describe('question figures', () => {
	it('count the answers with an abnormal flag, per resident or per household', () => {
		const answers = [
			{ residentId: 'a', key: 'fever', value: true, abnormal: true },
			{ residentId: 'a', key: 'travel', value: '北京' },
			{ key: 'relocate', value: false, abnormal: false }
		];
		expect(questionSubjectsOf(answers, 'h1')).toEqual([
			{ key: 'fever', subject: 'r:a', abnormal: true },
			{ key: 'relocate', subject: 'h:h1', abnormal: false }
		]);
	});

	it('count a subject once as asked and once as abnormal per round and question', () => {
		const seen = new Set<string>();
		const added: string[] = [];
		const visit = (subjects: ReturnType<typeof questionSubjectsOf>) =>
			addQuestionFigures(seen, 'round:r', subjects, (m) => added.push(m));
		visit([{ key: 'fever', subject: 'r:a', abnormal: false }]);
		visit([{ key: 'fever', subject: 'r:a', abnormal: true }]);
		visit([{ key: 'fever', subject: 'r:a', abnormal: true }]);
		visit([{ key: 'fever', subject: 'r:b', abnormal: true }]);
		expect(added).toEqual([
			'q:fever:asked',
			'q:fever:abnormal',
			'q:fever:asked',
			'q:fever:abnormal'
		]);
	});

	it('go to the covering rounds that ask the template the visit answered', () => {
		const of = (templateId: string | null, day: string) =>
			templateRoundsOf(ROUNDS, '450102001003', { day, templateId }).map((r) => r.id);
		expect(of('tpl', '2026-11-22')).toEqual(['county']);
		expect(of(null, '2026-11-22')).toEqual([]);
		expect(of('other-tpl', '2026-11-22')).toEqual([]);
		expect(of('other-tpl', '2026-12-01')).toEqual(['province']);
	});
});

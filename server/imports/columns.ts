// The columns of a household roster (户籍台账/网格台账) as street offices keep them
// (docs/imports.md). One list serves the reader (headers found by their text, in any order),
// the blank template and the residents export, so a file GridCare writes reads back the same.

export const ROSTER_COLUMNS = [
	{ key: 'householdNo', header: '户编号', aliases: ['户号', '户编码', '家庭编号'] },
	{ key: 'grid', header: '网格', aliases: ['所属网格', '网格名称'] },
	{ key: 'estate', header: '小区', aliases: ['小区名称', '小区/自然村', '自然村'] },
	{ key: 'building', header: '楼栋', aliases: ['楼号', '栋', '幢', '楼栋号'] },
	{ key: 'unit', header: '单元', aliases: ['单元号'] },
	{ key: 'room', header: '房号', aliases: ['门牌号', '室', '房间号', '户室号'] },
	{
		key: 'address',
		header: '地址',
		aliases: ['住址', '家庭住址', '现住址', '居住地址', '详细地址']
	},
	{ key: 'headName', header: '户主姓名', aliases: ['户主'] },
	{ key: 'name', header: '姓名', aliases: ['居民姓名', '人员姓名'] },
	{ key: 'relation', header: '与户主关系', aliases: ['关系', '与户主的关系'] },
	{
		key: 'idNumber',
		header: '身份证号',
		aliases: ['公民身份号码', '身份证号码', '身份证', '证件号码']
	},
	{ key: 'sex', header: '性别', aliases: [] },
	{ key: 'birthDate', header: '出生日期', aliases: ['出生年月', '出生年月日', '出生年份'] },
	{ key: 'phone', header: '联系电话', aliases: ['手机号码', '手机号', '手机', '电话', '联系方式'] },
	{ key: 'landline', header: '固定电话', aliases: ['座机', '固话'] },
	{ key: 'tags', header: '人员类别', aliases: ['标签', '类别', '人员标签'] },
	{ key: 'note', header: '备注', aliases: [] },
	{ key: 'residentId', header: '居民编号', aliases: [] }
] as const;

export type ColumnKey = (typeof ROSTER_COLUMNS)[number]['key'];

/** The column key of each header text (canonical or alias), as compared after normalizeHeader. */
export const COLUMN_OF_HEADER: ReadonlyMap<string, ColumnKey> = new Map(
	ROSTER_COLUMNS.flatMap((c) => [c.header, ...c.aliases].map((h) => [h, c.key] as const))
);

/** The header text GridCare writes for a column. */
export const HEADER_OF: Record<ColumnKey, string> = Object.fromEntries(
	ROSTER_COLUMNS.map((c) => [c.key, c.header])
) as Record<ColumnKey, string>;

/** 人员类别 labels and the tag codes they become (on the resident and on the household). */
export const TAG_OF_LABEL: ReadonlyMap<string, string> = new Map([
	['独居老人', 'elderly_alone'],
	['独居', 'elderly_alone'],
	['高龄', 'advanced_age'],
	['高龄老人', 'advanced_age'],
	['残疾', 'disabled'],
	['残疾人', 'disabled'],
	['低保', 'low_income'],
	['低保户', 'low_income'],
	['重点关注', 'key_care'],
	['重点关爱', 'key_care']
]);

/** The label GridCare writes for each tag code (export). */
export const LABEL_OF_TAG: Record<string, string> = {
	elderly_alone: '独居老人',
	advanced_age: '高龄',
	disabled: '残疾',
	low_income: '低保',
	key_care: '重点关注'
};

/** The column the reasons of a rejected row are written to in the file of rejected rows. */
export const PROBLEM_HEADER = '问题';

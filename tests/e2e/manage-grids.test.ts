// Grids managed in the app (docs/administration.md, "Grids"): the community head creates a
// grid and draws its boundary on the map with Leaflet-Geoman, and redraws a worker's grid; the
// worker's tablet shows the new outline after its next sync (no tile server: the outlines still
// show); then moves two of the worker's households to another worker's grid.
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, test, VIEWPORTS } from './fixtures';
import { LockScreen, LoginPage, MapPage } from './pages';
import { autoUnlock, WorkerApp } from './worker-pages';

interface ManagedGrid {
	id: string;
	name: string;
	boundary: { type: string; coordinates: number[][][] } | null;
}

/** Click the polygon tool, then three corners of a triangle, then the first corner to close it. */
async function drawTriangle(page: Page): Promise<void> {
	await page.locator('.leaflet-pm-icon-polygon').click();
	const box = (await page.locator('.leaflet-container').boundingBox())!;
	const corners = [
		[box.x + box.width * 0.35, box.y + box.height * 0.3],
		[box.x + box.width * 0.65, box.y + box.height * 0.35],
		[box.x + box.width * 0.5, box.y + box.height * 0.7]
	];
	for (const [x, y] of corners) {
		await page.mouse.click(x, y);
		await page.waitForTimeout(150);
	}
	await page.mouse.click(corners[0][0], corners[0][1]);
	await page.getByText('范围共 3 个点').waitFor({ timeout: 10_000 });
}

/** How many corners the outline path of the worker's map has ("M x y L x y … z"). */
async function outlineCorners(page: Page): Promise<number> {
	const d = (await page.locator('path.grid-outline').first().getAttribute('d')) ?? '';
	return (d.match(/[ML]/g) ?? []).length;
}

describe('grids managed in the app', () => {
	test('the head creates a grid, draws boundaries, and the worker sees the new outline after sync', async ({
		browser,
		server
	}) => {
		const { user: worker } = await apiSignIn(server.url, 'worker1');
		const { token } = await apiSignIn(server.url, 'head');
		const gridId = worker.scope[0];
		const communityGrids = async () => {
			const node = await fetch(`${server.url}/api/v1/divisions/${gridId}`, {
				headers: { Authorization: `Bearer ${token}` }
			});
			const { parentCode } = (await node.json()) as { parentCode: string };
			const res = await fetch(`${server.url}/api/v1/grids?code=${parentCode}`, {
				headers: { Authorization: `Bearer ${token}` }
			});
			return ((await res.json()) as { grids: ManagedGrid[] }).grids;
		};

		// The worker's tablet first: the outline of their grid as seeded.
		const workerContext = await browser.newContext({
			baseURL: server.url,
			locale: 'zh-CN',
			viewport: VIEWPORTS.tablet
		});
		const workerPage = await workerContext.newPage();
		const app = new WorkerApp(workerPage);
		await app.signIn('worker1');
		const map = new MapPage(workerPage);
		await map.open(gridId);
		await map.outlines.first().waitFor({ timeout: 60_000 });
		expect(await outlineCorners(workerPage)).not.toBe(3);

		// The head, on a desktop: creates a grid and draws its boundary.
		const headContext = await browser.newContext({
			baseURL: server.url,
			locale: 'zh-CN',
			viewport: { width: 1280, height: 860 }
		});
		const page = await headContext.newPage();
		const login = new LoginPage(page);
		await login.open();
		await login.signIn('head', 'demo1234');
		await page.waitForURL('**/supervise');
		await new LockScreen(page).setRequiredPin();
		autoUnlock(page);

		await page.goto('/manage');
		await page
			.locator('main')
			.getByRole('link', { name: /在地图上画出网格范围/ })
			.click();
		await page.getByRole('heading', { level: 1, name: '网格管理' }).waitFor();
		await page.getByRole('table').waitFor({ timeout: 60_000 });
		await page.getByLabel('网格名称').fill('第九网格');
		await page.getByRole('button', { name: '新建', exact: true }).click();
		await page.getByText('已新建网格“第九网格”。').waitFor();
		await page.getByRole('row', { name: /第九网格/ }).waitFor();
		const created = (await communityGrids()).find((g) => g.name === '第九网格');
		expect(created?.boundary).toBeNull();

		await page.getByRole('link', { name: '画范围 第九网格' }).click();
		await page.getByRole('heading', { level: 1, name: '第九网格的范围' }).waitFor();
		await page.locator('.leaflet-pm-toolbar').first().waitFor({ timeout: 60_000 });
		await drawTriangle(page);
		await page.getByRole('button', { name: '保存范围' }).click();
		await page.getByText('范围已保存').waitFor({ timeout: 10_000 });
		await screenshot(page, 'manage-grids-boundary');
		const drawn = (await communityGrids()).find((g) => g.name === '第九网格')!;
		expect(drawn.boundary?.type).toBe('Polygon');
		// Three corners and the first repeated: a closed ring.
		const ring = drawn.boundary!.coordinates[0];
		expect(ring).toHaveLength(4);
		expect(ring[3]).toEqual(ring[0]);

		// The worker's grid, redrawn as a triangle.
		await page.goto(`/manage/grids/${gridId}/boundary`);
		await page.locator('path.leaflet-interactive').first().waitFor({ timeout: 60_000 });
		await page.getByRole('button', { name: '清除范围' }).click();
		await page.getByText('范围已清除').waitFor({ timeout: 10_000 });
		await drawTriangle(page);
		await page.getByRole('button', { name: '保存范围' }).click();
		await page.getByText('范围已保存').waitFor({ timeout: 10_000 });
		const redrawn = (await communityGrids()).find((g) => g.id === gridId)!;
		expect(redrawn.boundary!.coordinates[0]).toHaveLength(4);

		// The worker's next sync brings it: the outline on their map is the triangle.
		await app.syncNow();
		await expect.poll(() => outlineCorners(workerPage), { timeout: 30_000, interval: 500 }).toBe(3);
		await screenshot(workerPage, 'manage-grids-worker-map');

		// Households chosen with checkboxes and moved to worker2's grid (POST /households/move).
		const { user: worker2 } = await apiSignIn(server.url, 'worker2');
		const target = (await communityGrids()).find((g) => g.id === worker2.scope[0])!;
		await page.goto(`/manage/grids/${gridId}/households`);
		const selectAll = page.getByRole('checkbox', { name: '全选' });
		await selectAll.waitFor({ timeout: 60_000 });
		const boxes = page.locator('fieldset li input[type=checkbox]');
		const before = await boxes.count();
		await selectAll.check();
		await page.getByText(`已选 ${before} 户`).waitFor();
		await selectAll.uncheck();
		await boxes.nth(0).check();
		await boxes.nth(1).check();
		await page.getByText('已选 2 户').waitFor();
		await page.getByLabel('移到网格…').selectOption({ label: target.name });
		await page.getByRole('button', { name: '移动', exact: true }).click();
		await page.getByText(`已把 2 户移到“${target.name}”。`).waitFor({ timeout: 30_000 });
		expect(await boxes.count()).toBe(before - 2);
		const counts = new Map((await communityGrids()).map((g) => [g.id, g]));
		expect((counts.get(gridId) as unknown as { households: number }).households).toBe(before - 2);
		await headContext.close();
		await workerContext.close();
	});
});

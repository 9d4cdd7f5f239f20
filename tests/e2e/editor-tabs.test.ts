import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hasChromium, screenshot } from '../helpers/browser.js';
import { openFreshEditor, useEditorSession } from '../helpers/editor-session.js';

/** The unsaved marker, the questions before overwriting, deleting and closing, and workflow tabs, by real input. */

const session = useEditorSession();

async function openEditor(): Promise<Page> {
  const page = await openFreshEditor(session);
  await page.waitForSelector('[data-testid="node-3"][data-class="KSampler"]');
  return page;
}

const marker = (page: Page) => page.locator('[data-testid="unsaved-marker"]').count();
const tabs = (page: Page) => page.locator('[data-testid="workflow-tab"]');
const tabMarkers = (page: Page) => page.locator('[data-testid="tab-unsaved-marker"]').count();
const dialog = (page: Page) => page.locator('[role="dialog"]');
/** How many times the editor has compared the tabs with their saved documents (it does once edits settle). */
const checks = async (page: Page) =>
  Number(await page.locator('[data-testid="workflow-tabs"]').getAttribute('data-unsaved-checks'));
/** Runs an action, then waits until the unsaved marks have been worked out again after it. */
async function thenChecked(page: Page, action: () => Promise<void>): Promise<void> {
  const before = await checks(page);
  await action();
  await expect.poll(() => checks(page)).toBeGreaterThan(before);
}
const inkNodes = (page: Page) => page.locator('.react-flow__node-ink').count();
/** The canvas's pan and zoom, as React Flow draws it. */
const transform = (page: Page) =>
  page.locator('.react-flow__viewport').evaluate((element) => (element as HTMLElement).style.transform);

async function libraryDocument(name: string): Promise<string> {
  const response = await fetch(`${session.server().url}/workflows/${encodeURIComponent(name)}`);
  return response.ok ? await response.text() : `missing (${response.status})`;
}

/** Drags a node by its header with the mouse. */
async function dragNode(page: Page, id: string, dx: number, dy: number): Promise<void> {
  const box = (await page.locator(`[data-testid="node-${id}"] .node-header`).boundingBox())!;
  const x = box.x + 30;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 4 });
  await page.mouse.move(x + dx, y + dy, { steps: 4 });
  await page.mouse.up();
}

/** A point on the empty canvas (the pane itself is under it). */
async function emptyCanvasPoint(page: Page): Promise<{ x: number; y: number }> {
  const box = (await page.locator('.react-flow__pane').boundingBox())!;
  for (let y = box.y + box.height - 60; y > box.y + 40; y -= 30)
    for (let x = box.x + 40; x < box.x + box.width - 260; x += 30) {
      const pane = await page.evaluate(
        ([px, py]) => document.elementFromPoint(px!, py!)?.classList.contains('react-flow__pane') === true,
        [x, y],
      );
      if (pane) return { x: Math.round(x), y: Math.round(y) };
    }
  throw new Error('no empty canvas point');
}

/** Types into a widget as a user does, then clicks the empty canvas so keys go to the editor again. */
async function typeWidget(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
  const point = await emptyCanvasPoint(page);
  await page.mouse.click(point.x, point.y);
}

async function saveAs(page: Page, name: string): Promise<void> {
  await page.locator('[data-testid="workflow-name"]').fill(name);
  await page.locator('[data-testid="save"]').click();
}

describe.skipIf(!hasChromium)('unsaved marker, confirmations and workflow tabs', () => {
  it('marks unsaved changes, asks before overwriting and deleting, and saving clears the mark', async () => {
    const page = await openEditor();
    // Just opened: nothing to save (measured node sizes and the first view are not changes).
    await expect.poll(() => tabs(page).count()).toBe(1);
    await expect.poll(() => checks(page)).toBeGreaterThan(0);
    expect(await marker(page)).toBe(0);

    // Selecting is not a change; moving a node is, and undoing it back to where it was is not.
    await thenChecked(page, () => page.locator('[data-testid="node-5"] .node-header').click());
    expect(await marker(page)).toBe(0);
    await dragNode(page, '5', 80, 40);
    await expect.poll(() => marker(page)).toBe(1);
    expect(await tabMarkers(page)).toBe(1);
    await screenshot(page, 't-unsaved-marker');
    await page.keyboard.press('Control+z');
    await expect.poll(() => marker(page)).toBe(0);
    expect(await tabMarkers(page)).toBe(0);

    // A new name saves without a question.
    await typeWidget(page, '#w-3-steps', '11');
    await expect.poll(() => marker(page)).toBe(1);
    await saveAs(page, 'tabs cats');
    await expect.poll(() => page.locator('[data-testid="toast"]').last().textContent()).toContain('tabs cats');
    expect(await dialog(page).count()).toBe(0);
    await expect.poll(() => marker(page)).toBe(0);
    await expect.poll(() => tabs(page).first().textContent()).toContain('tabs cats');
    const cats = await libraryDocument('tabs cats');
    expect(cats).toMatch(/"steps": ?11/);

    // Saved as another entry, then changed and saved over the first: asked, and Escape leaves the library as it was.
    await saveAs(page, 'tabs dogs');
    await expect.poll(() => page.locator('[data-testid="toast"]').last().textContent()).toContain('tabs dogs');
    await typeWidget(page, '#w-3-steps', '12');
    await expect.poll(() => marker(page)).toBe(1);
    await saveAs(page, 'tabs cats');
    await dialog(page).waitFor();
    expect(await dialog(page).textContent()).toContain('Overwrite tabs cats?');
    await screenshot(page, 't-overwrite-dialog');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog(page).count()).toBe(0);
    expect(await libraryDocument('tabs cats')).toBe(cats);
    expect(await marker(page)).toBe(1);

    // Asked again, Enter overwrites: saved, and the mark goes.
    await page.locator('[data-testid="save"]').click();
    await dialog(page).waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => libraryDocument('tabs cats')).toMatch(/"steps": ?12/);
    await expect.poll(() => marker(page)).toBe(0);
    // Saving the tab's own entry again asks nothing.
    await typeWidget(page, '#w-3-steps', '13');
    await page.locator('[data-testid="save"]').click();
    await expect.poll(() => libraryDocument('tabs cats')).toMatch(/"steps": ?13/);
    expect(await dialog(page).count()).toBe(0);

    // Deleting from the library asks: cancelled it stays, confirmed it goes.
    await page.locator('[data-testid="tab-library"]').click();
    await page.waitForSelector('[data-testid="library-tabs dogs"]');
    await page.getByRole('button', { name: 'Delete tabs dogs' }).click();
    await dialog(page).waitFor();
    expect(await dialog(page).textContent()).toContain('Delete tabs dogs?');
    await screenshot(page, 't-delete-dialog');
    await page.locator('[data-testid="confirm-cancel"]').click();
    await expect.poll(() => dialog(page).count()).toBe(0);
    expect(await libraryDocument('tabs dogs')).toContain('"prompt"');
    expect(await page.locator('[data-testid="library-tabs dogs"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Delete tabs dogs' }).click();
    await page.locator('[data-testid="confirm-ok"]').click();
    await expect.poll(() => page.locator('[data-testid="library-tabs dogs"]').count()).toBe(0);
    expect(await libraryDocument('tabs dogs')).toMatch(/^missing/);

    // Closing the changed tab of a library workflow offers to save it first; Enter saves, then closes.
    await typeWidget(page, '#w-3-steps', '14');
    await expect.poll(() => marker(page)).toBe(1);
    await tabs(page).nth(0).locator('[data-testid="close-tab"]').click();
    await dialog(page).waitFor();
    expect(await dialog(page).textContent()).toContain('Save them before closing');
    await screenshot(page, 't-close-save-dialog');
    await page.keyboard.press('Enter');
    await expect.poll(() => libraryDocument('tabs cats')).toMatch(/"steps": ?14/);
    await expect.poll(() => inkNodes(page)).toBe(0);
    expect(await tabs(page).count()).toBe(1);
    await page.context().close();
  });

  it('keeps each tab its graph and its own undo, survives a reload, and asks before closing a changed tab', async () => {
    const page = await openEditor();
    const firstView = await transform(page);
    await typeWidget(page, '#w-3-steps', '7');
    await expect.poll(() => tabMarkers(page)).toBe(1);
    // A view of its own: zoomed out here with the wheel.
    const point = await emptyCanvasPoint(page);
    await page.mouse.move(point.x, point.y);
    await page.mouse.wheel(0, 300);
    await expect.poll(() => transform(page)).not.toBe(firstView);
    const zoomedOut = await transform(page);

    // "+" opens an empty workflow in a new tab; two nodes added there, one taken back with Ctrl+Z.
    await page.locator('[data-testid="new-tab"]').click();
    await expect.poll(() => tabs(page).count()).toBe(2);
    await expect.poll(() => inkNodes(page)).toBe(0);
    await page.locator('[data-testid="palette-EmptyLatentImage"]').click();
    await page.locator('[data-testid="palette-SaveImage"]').click();
    await expect.poll(() => inkNodes(page)).toBe(2);
    await expect.poll(() => tabMarkers(page)).toBe(2);
    await page.keyboard.press('Control+z');
    await expect.poll(() => inkNodes(page)).toBe(1);
    await screenshot(page, 't-second-tab');

    // Back on the first tab: its graph, and Ctrl+Z undoes its own last edit (the steps), not the other tab's.
    await tabs(page).nth(0).getByRole('tab').click();
    await page.waitForSelector('[data-testid="node-3"]');
    expect(await page.locator('#w-3-steps').inputValue()).toBe('7');
    expect(await transform(page)).toBe(zoomedOut);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('#w-3-steps').inputValue()).toBe('20');
    await expect.poll(() => tabMarkers(page)).toBe(1);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.locator('#w-3-steps').inputValue()).toBe('7');

    // The second tab again: its one node, and its own history (one more Ctrl+Z empties it).
    await tabs(page).nth(1).getByRole('tab').click();
    await expect.poll(() => inkNodes(page)).toBe(1);
    expect(await page.locator('[data-testid="node-3"]').count()).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(() => inkNodes(page)).toBe(0);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => inkNodes(page)).toBe(1);

    // Opening an example while this tab has changes opens it in a new tab; nothing is lost.
    await page.locator('[data-testid="tab-library"]').click();
    await page
      .locator('.library button.link', { hasText: /^\s*text-to-image(\.json)?\s*$/ })
      .first()
      .click();
    await expect.poll(() => tabs(page).count()).toBe(3);
    await page.waitForSelector('[data-testid="node-3"]');
    expect(await page.locator('#w-3-steps').inputValue()).toBe('20');
    await tabs(page).nth(1).getByRole('tab').click();
    await expect.poll(() => inkNodes(page)).toBe(1);

    // A reload keeps the tabs, which is shown, their graphs and their unsaved marks.
    await page.waitForFunction(() => (localStorage.getItem('inkgraph.tabs') ?? '').includes('"steps":7'));
    await page.reload();
    await expect.poll(() => tabs(page).count()).toBe(3);
    await expect.poll(() => inkNodes(page)).toBe(1);
    expect(await tabs(page).nth(1).getByRole('tab').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => tabMarkers(page)).toBe(2);
    await tabs(page).nth(0).getByRole('tab').click();
    await expect.poll(() => page.locator('#w-3-steps').inputValue()).toBe('7');
    await screenshot(page, 't-tabs-after-reload');

    // Closing a changed tab asks: Escape keeps it; "Close without saving" closes it and saves nothing.
    await tabs(page).nth(0).locator('[data-testid="close-tab"]').click();
    await dialog(page).waitFor();
    expect(await dialog(page).textContent()).toContain('unsaved changes');
    await screenshot(page, 't-close-dialog');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog(page).count()).toBe(0);
    expect(await tabs(page).count()).toBe(3);
    await tabs(page).nth(0).locator('[data-testid="close-tab"]').click();
    await dialog(page).waitFor();
    await page.locator('[data-testid="confirm-alternative"]').click();
    await expect.poll(() => tabs(page).count()).toBe(2);
    expect(await libraryDocument('text-to-image')).toMatch(/^missing/);
    // An unchanged tab closes without a question.
    await tabs(page).nth(1).locator('[data-testid="close-tab"]').click();
    await expect.poll(() => tabs(page).count()).toBe(1);
    expect(await dialog(page).count()).toBe(0);
    // The last tab, changed and never named: asked, Enter discards, and a fresh empty tab takes its place.
    await tabs(page).nth(0).locator('[data-testid="close-tab"]').click();
    await dialog(page).waitFor();
    expect(await page.locator('[data-testid="confirm-alternative"]').count()).toBe(0);
    await page.keyboard.press('Enter');
    await expect.poll(() => inkNodes(page)).toBe(0);
    expect(await tabs(page).count()).toBe(1);
    await expect.poll(() => tabMarkers(page)).toBe(0);
    await page.context().close();
  });

  it("shows a run's node states on the tab that queued it, not on another tab's nodes with the same ids", async () => {
    const page = await openEditor();
    await typeWidget(page, '#w-3-steps', '2');
    await page.locator('[data-testid="run"]').click();
    await expect
      .poll(() => page.locator('[data-testid="status-3"]').textContent(), { timeout: 60_000 })
      .toContain('done');

    // The same workflow opened again (a new tab: this one has changes) has a node 3 too; it shows no run.
    await page.locator('[data-testid="tab-library"]').click();
    await page
      .locator('.library button.link', { hasText: /^\s*text-to-image(\.json)?\s*$/ })
      .first()
      .click();
    await expect.poll(() => tabs(page).count()).toBe(2);
    await page.waitForSelector('[data-testid="node-3"]');
    expect(await page.locator('#w-3-steps').inputValue()).toBe('20');
    expect(await page.locator('[data-testid="status-3"]').count()).toBe(0);
    expect(await page.locator('[data-testid="node-3"][class*="status-"]').count()).toBe(0);
    await screenshot(page, 't-run-other-tab');

    // Back on the tab that ran: its states are there.
    await tabs(page).nth(0).getByRole('tab').click();
    await expect.poll(() => page.locator('[data-testid="status-3"]').textContent()).toContain('done');
    await page.context().close();
  });

  it('opens a document stored by an older Inkgraph (no tabs) as the one tab', async () => {
    const page = await openEditor();
    await page.waitForFunction(() => localStorage.getItem('inkgraph.document') !== null);
    // Stored as before tabs: only `inkgraph.document`. Edited before the app starts (leaving a page stores it again).
    await page.context().addInitScript(() => {
      const raw = localStorage.getItem('inkgraph.document');
      if (!raw || sessionStorage.getItem('tabs-legacy')) return;
      const saved = JSON.parse(raw) as { document: { prompt: Record<string, { inputs: Record<string, unknown> }> } };
      saved.document.prompt['3']!.inputs.steps = 9;
      localStorage.setItem('inkgraph.document', JSON.stringify({ ...saved, name: 'older document' }));
      localStorage.removeItem('inkgraph.tabs');
      sessionStorage.setItem('tabs-legacy', '1');
    });
    await page.reload();
    await expect.poll(() => page.locator('#w-3-steps').inputValue()).toBe('9');
    expect(await tabs(page).count()).toBe(1);
    expect(await tabs(page).first().textContent()).toContain('older document');
    await page.context().close();
  });
});

// flows/90-dashboard.json: the FlowFuse Dashboard 2 of the microgrid, one tab per page, in its own file so that
// the control flows run without it. Its ui-base, theme, pages and groups are config nodes of this file only.
import type { FlowNode } from '../kit';
import { eventsPage, type EventsPage } from './events';
import { minersPage } from './miners';
import { plantPage, type DashboardPage } from './plant';
import { DASHBOARD_FILE, uiBase } from './widgets';

export { DASHBOARD_FILE };

export interface Dashboard {
  pages: DashboardPage[];
  events: EventsPage;
  nodes: FlowNode[];
}

export function dashboard(): Dashboard {
  const events = eventsPage(DASHBOARD_FILE, 9);
  const pages: DashboardPage[] = [plantPage(DASHBOARD_FILE, 1), minersPage(DASHBOARD_FILE, 2), events];
  const nodes = [...uiBase(), ...pages.flatMap((p) => p.config), ...pages.flatMap((p) => p.flow.nodes())];
  return { pages, events, nodes };
}

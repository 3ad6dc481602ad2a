// flows/90-dashboard.json: the FlowFuse Dashboard 2 of the microgrid, one tab per page, in its own file so that
// the control flows run without it. Its ui-base, theme, pages and groups are config nodes of this file only.
import type { FlowNode } from '../kit';
import { eventsPage, type EventsPage } from './events';
import { marketPage } from './market-page';
import { minersPage } from './miners';
import { paymentsPage, type PaymentsPage } from './payments-page';
import { plantPage, type DashboardPage } from './plant';
import { settingsPage, type SettingsPage } from './settings';
import { DASHBOARD_FILE, uiBase } from './widgets';

export { DASHBOARD_FILE };

export interface Dashboard {
  pages: DashboardPage[];
  events: EventsPage;
  settings: SettingsPage;
  payments: PaymentsPage;
  nodes: FlowNode[];
}

export function dashboard(): Dashboard {
  const settings = settingsPage(DASHBOARD_FILE, 5);
  const payments = paymentsPage(DASHBOARD_FILE, 4);
  const events = eventsPage(DASHBOARD_FILE, 6);
  const pages: DashboardPage[] = [plantPage(DASHBOARD_FILE, 1), minersPage(DASHBOARD_FILE, 2), marketPage(DASHBOARD_FILE, 3), payments, settings, events];
  const nodes = [...uiBase(), ...pages.flatMap((p) => p.config), ...pages.flatMap((p) => p.flow.nodes())];
  return { pages, events, settings, payments, nodes };
}

// SPDX-License-Identifier: AGPL-3.0-or-later
import { loadState } from '@nextcloud/initial-state';
import { createApp } from 'vue';
import PortalWidget from './components/PortalWidget.js';

interface DashboardApi {
  register(id: string, callback: (element: HTMLElement) => void): void;
}

const { portalUrl } = loadState<{ portalUrl: string }>('laboite', 'dashboard', { portalUrl: '' });
// The Dashboard app's registry (apps/dashboard, OCA.Dashboard.register(widget id, (element, {widget}) => ...)).
const dashboard = (window as unknown as { OCA?: { Dashboard?: DashboardApi } }).OCA?.Dashboard;
dashboard?.register('laboite', (element) => {
  createApp(PortalWidget, { portalUrl }).mount(element);
});

// SPDX-License-Identifier: AGPL-3.0-or-later
import { loadState } from '@nextcloud/initial-state';
import { createApp } from 'vue';
import type { AdminSettings } from './api.js';
import AdminSettingsComponent from './components/AdminSettings.js';

const element = document.getElementById('laboite-admin-settings');
if (element !== null) {
  createApp(AdminSettingsComponent, { initial: loadState<AdminSettings>('laboite', 'admin-settings') }).mount(element);
}

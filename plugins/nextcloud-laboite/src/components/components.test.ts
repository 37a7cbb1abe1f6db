// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminSettings } from '../api.js';
import { OcsError } from '../ocs.js';
import AdminSettingsComponent from './AdminSettings.js';
import ShareWithPortalGroup from './ShareWithPortalGroup.js';

const api = vi.hoisted(() => ({
  saveSettings: vi.fn(),
  testConnection: vi.fn(),
  shareWithGroup: vi.fn(),
}));
vi.mock('../api.js', () => api);

const SAVED: AdminSettings = {
  portalUrl: 'https://portail.ac-test.fr',
  apiKeySet: true,
  syncSecretSet: false,
  notifyUserShares: true,
  notifyGroupShares: true,
  notifyTeamShares: true,
  excludedAccounts: '',
  maxGroupRecipients: 200,
  portalLanguage: 'fr',
  groupFolders: true,
  membersCanShare: false,
  removedFolders: 'archive',
};

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
  document.body.innerHTML = '';
});

describe('the settings page component', () => {
  const mountPage = () => mount(AdminSettingsComponent, { props: { initial: SAVED }, attachTo: document.body });
  const input = (wrapper: ReturnType<typeof mountPage>, id: string) => wrapper.get<HTMLInputElement>(`#${id}`);

  it('shows the saved settings, never a secret, and says which secrets are set', () => {
    const wrapper = mountPage();
    expect(input(wrapper, 'laboite-portal-url').element.value).toBe('https://portail.ac-test.fr');
    expect(input(wrapper, 'laboite-api-key').element.value).toBe('');
    expect(input(wrapper, 'laboite-api-key').element.type).toBe('password');
    expect(wrapper.text()).toContain('Saved. Leave empty to keep it.');
    expect(wrapper.text()).toContain('Not set yet.');
  });

  it('refuses a plain-http address and a short secret without calling Nextcloud, naming both fields', async () => {
    const wrapper = mountPage();
    await input(wrapper, 'laboite-portal-url').setValue('http://portail.ac-test.fr');
    await input(wrapper, 'laboite-sync-secret').setValue('short');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(api.saveSettings).not.toHaveBeenCalled();
    expect(wrapper.text()).toContain('Nothing was saved: correct the fields marked in red.');
    expect(wrapper.text()).toContain('Give the portal address starting with https://');
    expect(wrapper.text()).toContain('The shared secret needs 32 characters at least');
  });

  it('sends the whole form, then shows what Nextcloud saved with the secret fields emptied', async () => {
    api.saveSettings.mockResolvedValue({ ...SAVED, syncSecretSet: true, maxGroupRecipients: 50 });
    const wrapper = mountPage();
    await input(wrapper, 'laboite-sync-secret').setValue('s'.repeat(32));
    await input(wrapper, 'laboite-max-recipients').setValue('50');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(api.saveSettings).toHaveBeenCalledWith({
      portalUrl: 'https://portail.ac-test.fr',
      apiKey: '',
      syncSecret: 's'.repeat(32),
      notifyUserShares: true,
      notifyGroupShares: true,
      notifyTeamShares: true,
      excludedAccounts: '',
      maxGroupRecipients: 50,
      portalLanguage: 'fr',
      groupFolders: true,
      membersCanShare: false,
      removedFolders: 'archive',
    });
    expect(wrapper.text()).toContain('Settings saved.');
    expect(input(wrapper, 'laboite-sync-secret').element.value).toBe('');
    expect(wrapper.text()).not.toContain('Not set yet.');
  });

  it("shows Nextcloud's refusal and the connection test's report in the live region", async () => {
    api.saveSettings.mockRejectedValue(new OcsError('The API key is the text the portal gave, without spaces.', 400));
    api.testConnection.mockResolvedValue({ ok: false, message: 'The portal refused the API key (HTTP 401).' });
    const wrapper = mountPage();
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('.laboite-settings__status').text()).toBe(
      'The API key is the text the portal gave, without spaces.',
    );
    const test = wrapper.findAll('button').find((b) => b.text() === 'Test the connection');
    await test?.trigger('click');
    await flushPromises();
    expect(wrapper.get('.laboite-settings__status').text()).toBe('The portal refused the API key (HTTP 401).');
  });
});

describe('the "Share with a portal group" dialog', () => {
  const groups = [
    { id: 'grpArtsXXXXXXXXXX', name: '<b>Arts</b> & Co', slug: 'arts' },
    { id: 'grpMathsXXXXXXXXX', name: 'Maths 4e B', slug: 'maths-4e-b' },
  ];
  const mountDialog = () =>
    mount(ShareWithPortalGroup, {
      props: { fileName: 'Cours.pdf', path: '/Cours.pdf', groups },
      attachTo: document.body,
    });

  it('lists the groups by name as text, and shares the chosen one', async () => {
    api.shareWithGroup.mockResolvedValue(undefined);
    const wrapper = mountDialog();
    await flushPromises();
    const radios = [...document.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
    expect(radios.map((r) => r.value)).toEqual(['grpArtsXXXXXXXXXX', 'grpMathsXXXXXXXXX']);
    expect(document.body.textContent).toContain('<b>Arts</b> & Co');
    expect(document.querySelector('b'), 'markup in a name is never made an element').toBeNull();
    radios[1]?.click();
    await flushPromises();
    [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Share')?.click();
    await flushPromises();
    expect(api.shareWithGroup).toHaveBeenCalledWith('/Cours.pdf', 'grpMathsXXXXXXXXX');
    expect(document.body.textContent).toContain('"Cours.pdf" is shared with Maths 4e B.');
    [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Close')?.click();
    await flushPromises();
    expect(wrapper.emitted('close')).toHaveLength(1);
  });

  it('says what Nextcloud refused and lets the user try again', async () => {
    api.shareWithGroup.mockRejectedValueOnce(new OcsError('Please specify a valid group', 404));
    mountDialog();
    await flushPromises();
    [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Share')?.click();
    await flushPromises();
    expect(document.body.textContent).toContain('Please specify a valid group');
    expect([...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Share')).toBe(true);
  });
});

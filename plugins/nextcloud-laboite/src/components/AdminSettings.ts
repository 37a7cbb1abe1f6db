// SPDX-License-Identifier: AGPL-3.0-or-later
import { translate as t } from '@nextcloud/l10n';
import NcButton from '@nextcloud/vue/components/NcButton';
import NcCheckboxRadioSwitch from '@nextcloud/vue/components/NcCheckboxRadioSwitch';
import NcNoteCard from '@nextcloud/vue/components/NcNoteCard';
import NcPasswordField from '@nextcloud/vue/components/NcPasswordField';
import NcSettingsSection from '@nextcloud/vue/components/NcSettingsSection';
import NcTextField from '@nextcloud/vue/components/NcTextField';
import { computed, defineComponent, h, type PropType, reactive, ref } from 'vue';
import { type AdminSettings, saveSettings, testConnection } from '../api.js';
import { OcsError } from '../ocs.js';
import { formFrom, formProblems } from '../settings-form.js';

type Note = { type: 'success' | 'error'; text: string };

/** Administration settings > LaBoite: the portal's address and keys, the share notifications, the group folders. */
export default defineComponent({
  name: 'LaBoiteAdminSettings',
  props: { initial: { type: Object as PropType<AdminSettings>, required: true } },
  setup(props) {
    const saved = ref<AdminSettings>(props.initial);
    const form = reactive(formFrom(props.initial));
    const note = ref<Note | null>(null);
    const busy = ref(false);
    const tried = ref(false);
    const problems = computed(() => (tried.value ? formProblems(form, saved.value) : {}));

    async function save(): Promise<void> {
      tried.value = true;
      if (Object.keys(problems.value).length > 0) {
        note.value = { type: 'error', text: t('laboite', 'Nothing was saved: correct the fields marked in red.') };
        return;
      }
      busy.value = true;
      try {
        saved.value = await saveSettings({ ...form });
        Object.assign(form, formFrom(saved.value));
        tried.value = false;
        note.value = { type: 'success', text: t('laboite', 'Settings saved.') };
      } catch (error) {
        note.value = { type: 'error', text: error instanceof OcsError ? error.message : String(error) };
      } finally {
        busy.value = false;
      }
    }

    async function test(): Promise<void> {
      busy.value = true;
      try {
        const report = await testConnection();
        note.value = { type: report.ok ? 'success' : 'error', text: report.message };
      } catch (error) {
        note.value = { type: 'error', text: error instanceof OcsError ? error.message : String(error) };
      } finally {
        busy.value = false;
      }
    }

    const text = (
      id: string,
      label: string,
      value: () => string,
      set: (v: string) => void,
      extra: Record<string, unknown> = {},
    ) =>
      h(NcTextField, {
        id,
        label,
        modelValue: value(),
        'onUpdate:modelValue': (v: string | number) => set(String(v)),
        ...extra,
      });
    const toggle = (id: string, label: string, value: () => boolean, set: (v: boolean) => void) =>
      h(
        NcCheckboxRadioSwitch,
        { id, type: 'switch', modelValue: value(), 'onUpdate:modelValue': (v: boolean) => set(v) },
        () => label,
      );
    const radio = (name: string, value: string, label: string, current: () => string, set: (v: string) => void) =>
      h(
        NcCheckboxRadioSwitch,
        { type: 'radio', name, value, modelValue: current(), 'onUpdate:modelValue': (v: string) => set(v) },
        () => label,
      );
    const secret = (
      id: string,
      label: string,
      isSet: () => boolean,
      value: () => string,
      set: (v: string) => void,
      error?: string,
    ) =>
      h(NcPasswordField, {
        id,
        label,
        modelValue: value(),
        'onUpdate:modelValue': (v: string | number) => set(String(v)),
        autocomplete: 'new-password',
        error: error !== undefined,
        helperText: error ?? (isSet() ? t('laboite', 'Saved. Leave empty to keep it.') : t('laboite', 'Not set yet.')),
      });

    return () => {
      const p = problems.value;
      return h(
        NcSettingsSection,
        {
          name: t('laboite', 'LaBoite portal'),
          description: t(
            'laboite',
            'Nextcloud tells the portal about shares, and the portal keeps its groups and their shared folders here.',
          ),
        },
        () =>
          h(
            'form',
            { class: 'laboite-settings', novalidate: true, onSubmit: (e: Event) => (e.preventDefault(), save()) },
            [
              h('h3', t('laboite', 'Connection')),
              text(
                'laboite-portal-url',
                t('laboite', 'Portal address'),
                () => form.portalUrl,
                (v) => (form.portalUrl = v),
                {
                  type: 'url',
                  placeholder: 'https://portail.ac-exemple.fr',
                  error: p.portalUrl !== undefined,
                  helperText: p.portalUrl ?? '',
                },
              ),
              secret(
                'laboite-api-key',
                t('laboite', 'API key'),
                () => saved.value.apiKeySet,
                () => form.apiKey,
                (v) => (form.apiKey = v),
                p.apiKey,
              ),
              secret(
                'laboite-sync-secret',
                t('laboite', 'Shared secret of the group sync'),
                () => saved.value.syncSecretSet,
                () => form.syncSecret,
                (v) => (form.syncSecret = v),
                p.syncSecret,
              ),
              h('h3', t('laboite', 'Share notifications')),
              toggle(
                'laboite-notify-user',
                t('laboite', 'Tell the portal about shares with a person'),
                () => form.notifyUserShares,
                (v) => (form.notifyUserShares = v),
              ),
              toggle(
                'laboite-notify-group',
                t('laboite', 'Tell the portal about shares with a group'),
                () => form.notifyGroupShares,
                (v) => (form.notifyGroupShares = v),
              ),
              toggle(
                'laboite-notify-team',
                t('laboite', 'Tell the portal about shares with a team'),
                () => form.notifyTeamShares,
                (v) => (form.notifyTeamShares = v),
              ),
              text(
                'laboite-excluded',
                t('laboite', 'Accounts never notified (service accounts), separated by commas'),
                () => form.excludedAccounts,
                (v) => (form.excludedAccounts = v),
              ),
              text(
                'laboite-max-recipients',
                t('laboite', 'Largest group whose members are notified one by one'),
                () => String(form.maxGroupRecipients),
                (v) => (form.maxGroupRecipients = Number(v)),
                {
                  type: 'number',
                  min: 1,
                  error: p.maxGroupRecipients !== undefined,
                  helperText: p.maxGroupRecipients ?? '',
                },
              ),
              h('fieldset', [
                h('legend', t('laboite', 'Language of the notifications in the portal')),
                radio(
                  'laboite-language',
                  'fr',
                  'Français',
                  () => form.portalLanguage,
                  (v) => (form.portalLanguage = v as 'fr' | 'en'),
                ),
                radio(
                  'laboite-language',
                  'en',
                  'English',
                  () => form.portalLanguage,
                  (v) => (form.portalLanguage = v as 'fr' | 'en'),
                ),
              ]),
              h('h3', t('laboite', 'Portal groups')),
              toggle(
                'laboite-group-folders',
                t('laboite', 'Give each portal group a shared folder (Group folders app)'),
                () => form.groupFolders,
                (v) => (form.groupFolders = v),
              ),
              toggle(
                'laboite-members-share',
                t('laboite', 'Members may share from their group folder'),
                () => form.membersCanShare,
                (v) => (form.membersCanShare = v),
              ),
              h('fieldset', [
                h('legend', t('laboite', 'When a portal group is deleted, its folder is')),
                radio(
                  'laboite-removed',
                  'archive',
                  t('laboite', 'archived: kept, out of the members\u2019 reach'),
                  () => form.removedFolders,
                  (v) => (form.removedFolders = v as 'archive' | 'delete'),
                ),
                radio(
                  'laboite-removed',
                  'delete',
                  t('laboite', 'deleted with its files'),
                  () => form.removedFolders,
                  (v) => (form.removedFolders = v as 'archive' | 'delete'),
                ),
              ]),
              h('div', { class: 'laboite-settings__actions' }, [
                h(NcButton, { type: 'submit', variant: 'primary', disabled: busy.value }, () => t('laboite', 'Save')),
                h(NcButton, { type: 'button', disabled: busy.value, onClick: test }, () =>
                  t('laboite', 'Test the connection'),
                ),
              ]),
              h(
                'div',
                { 'aria-live': 'polite', class: 'laboite-settings__status' },
                note.value === null ? [] : [h(NcNoteCard, { type: note.value.type }, () => note.value?.text)],
              ),
            ],
          ),
      );
    };
  },
});

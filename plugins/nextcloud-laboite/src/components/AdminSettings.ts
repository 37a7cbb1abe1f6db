// SPDX-License-Identifier: AGPL-3.0-or-later
import { translate as t } from '@nextcloud/l10n';
import NcButton from '@nextcloud/vue/components/NcButton';
import NcCheckboxRadioSwitch from '@nextcloud/vue/components/NcCheckboxRadioSwitch';
import NcNoteCard from '@nextcloud/vue/components/NcNoteCard';
import NcPasswordField from '@nextcloud/vue/components/NcPasswordField';
import NcSettingsSection from '@nextcloud/vue/components/NcSettingsSection';
import NcTextField from '@nextcloud/vue/components/NcTextField';
import { computed, defineComponent, h, type PropType, reactive, ref } from 'vue';
import { type AdminSettings, type SettingsUpdate, saveSettings, testConnection } from '../api.js';
import { OcsError } from '../ocs.js';
import { formFrom, formProblems } from '../settings-form.js';

type Note = { type: 'success' | 'error'; text: string };
type TextKey = 'portalUrl' | 'excludedAccounts';
type SwitchKey = 'notifyUserShares' | 'notifyGroupShares' | 'notifyTeamShares' | 'groupFolders' | 'membersCanShare';

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

    // Each field is bound to its key of the form; a field's problem (formProblems) shows as its error.
    const text = (id: string, label: string, key: TextKey, extra: Record<string, unknown> = {}) =>
      h(NcTextField, {
        id,
        label,
        modelValue: form[key],
        'onUpdate:modelValue': (v: string | number) => (form[key] = String(v)),
        error: problems.value[key] !== undefined,
        helperText: problems.value[key] ?? '',
        ...extra,
      });
    const toggle = (id: string, label: string, key: SwitchKey) =>
      h(
        NcCheckboxRadioSwitch,
        { id, type: 'switch', modelValue: form[key], 'onUpdate:modelValue': (v: boolean) => (form[key] = v) },
        () => label,
      );
    const choices = <K extends 'portalLanguage' | 'removedFolders'>(
      legend: string,
      name: string,
      key: K,
      options: [SettingsUpdate[K], string][],
    ) =>
      h('fieldset', [
        h('legend', legend),
        ...options.map(([value, label]) =>
          h(
            NcCheckboxRadioSwitch,
            {
              type: 'radio',
              name,
              value,
              modelValue: form[key],
              'onUpdate:modelValue': (v: SettingsUpdate[K]) => (form[key] = v),
            },
            () => label,
          ),
        ),
      ]);
    const secret = (id: string, label: string, key: 'apiKey' | 'syncSecret', isSet: 'apiKeySet' | 'syncSecretSet') =>
      h(NcPasswordField, {
        id,
        label,
        modelValue: form[key],
        'onUpdate:modelValue': (v: string | number) => (form[key] = String(v)),
        autocomplete: 'new-password',
        error: problems.value[key] !== undefined,
        helperText:
          problems.value[key] ??
          (saved.value[isSet] ? t('laboite', 'Saved. Leave empty to keep it.') : t('laboite', 'Not set yet.')),
      });

    return () =>
      h(
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
            {
              class: 'laboite-settings',
              novalidate: true,
              onSubmit: (e: Event) => {
                e.preventDefault();
                void save();
              },
            },
            [
              h('h3', t('laboite', 'Connection')),
              text('laboite-portal-url', t('laboite', 'Portal address'), 'portalUrl', {
                type: 'url',
                placeholder: 'https://portail.ac-exemple.fr',
              }),
              secret('laboite-api-key', t('laboite', 'API key'), 'apiKey', 'apiKeySet'),
              secret(
                'laboite-sync-secret',
                t('laboite', 'Shared secret of the group sync'),
                'syncSecret',
                'syncSecretSet',
              ),
              h('h3', t('laboite', 'Share notifications')),
              toggle(
                'laboite-notify-user',
                t('laboite', 'Tell the portal about shares with a person'),
                'notifyUserShares',
              ),
              toggle(
                'laboite-notify-group',
                t('laboite', 'Tell the portal about shares with a group'),
                'notifyGroupShares',
              ),
              toggle(
                'laboite-notify-team',
                t('laboite', 'Tell the portal about shares with a team'),
                'notifyTeamShares',
              ),
              text(
                'laboite-excluded',
                t('laboite', 'Accounts never notified (service accounts), separated by commas'),
                'excludedAccounts',
              ),
              h(NcTextField, {
                id: 'laboite-max-recipients',
                label: t('laboite', 'Largest group whose members are notified one by one'),
                modelValue: String(form.maxGroupRecipients),
                'onUpdate:modelValue': (v: string | number) => (form.maxGroupRecipients = Number(v)),
                type: 'number',
                min: 1,
                error: problems.value.maxGroupRecipients !== undefined,
                helperText: problems.value.maxGroupRecipients ?? '',
              }),
              choices(
                t('laboite', 'Language of the notifications in the portal'),
                'laboite-language',
                'portalLanguage',
                [
                  ['fr', 'Français'],
                  ['en', 'English'],
                ],
              ),
              h('h3', t('laboite', 'Portal groups')),
              toggle(
                'laboite-group-folders',
                t('laboite', 'Give each portal group a shared folder (Group folders app)'),
                'groupFolders',
              ),
              toggle(
                'laboite-members-share',
                t('laboite', 'Members may share from their group folder'),
                'membersCanShare',
              ),
              choices(
                t('laboite', 'When a portal group is deleted, its folder is'),
                'laboite-removed',
                'removedFolders',
                [
                  ['archive', t('laboite', 'archived: kept, out of the members\u2019 reach')],
                  ['delete', t('laboite', 'deleted with its files')],
                ],
              ),
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
  },
});

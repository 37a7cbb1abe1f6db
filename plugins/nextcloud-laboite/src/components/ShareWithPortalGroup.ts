// SPDX-License-Identifier: AGPL-3.0-or-later
import { translate as t } from '@nextcloud/l10n';
import NcButton from '@nextcloud/vue/components/NcButton';
import NcCheckboxRadioSwitch from '@nextcloud/vue/components/NcCheckboxRadioSwitch';
import NcDialog from '@nextcloud/vue/components/NcDialog';
import NcNoteCard from '@nextcloud/vue/components/NcNoteCard';
import { defineComponent, h, type PropType, ref } from 'vue';
import { type PortalGroup, shareWithGroup } from '../api.js';
import { OcsError } from '../ocs.js';

/**
 * The dialog of the Files action "Share with a portal group": the user's synced portal groups by name (their names
 * are text, never markup), one chosen, shared through Nextcloud's sharing API; the answer said in the dialog.
 */
export default defineComponent({
  name: 'LaBoiteShareWithPortalGroup',
  props: {
    fileName: { type: String, required: true },
    path: { type: String, required: true },
    groups: { type: Array as PropType<PortalGroup[]>, required: true },
  },
  emits: ['close'],
  setup(props, { emit }) {
    const chosen = ref<string>(props.groups[0]?.id ?? '');
    const busy = ref(false);
    const note = ref<{ type: 'success' | 'error'; text: string } | null>(null);
    const done = ref(false);

    async function share(): Promise<void> {
      const group = props.groups.find((g) => g.id === chosen.value);
      if (group === undefined) return;
      busy.value = true;
      try {
        await shareWithGroup(props.path, group.id);
        done.value = true;
        note.value = {
          type: 'success',
          text: t('laboite', '"{file}" is shared with {group}.', { file: props.fileName, group: group.name }),
        };
      } catch (error) {
        note.value = { type: 'error', text: error instanceof OcsError ? error.message : String(error) };
      } finally {
        busy.value = false;
      }
    }

    return () =>
      h(
        NcDialog,
        {
          name: t('laboite', 'Share "{file}" with a portal group', { file: props.fileName }),
          open: true,
          size: 'normal',
          'onUpdate:open': (open: boolean) => open || emit('close'),
        },
        {
          default: () => [
            h('fieldset', { class: 'laboite-share__groups' }, [
              h('legend', t('laboite', 'Your portal groups')),
              ...props.groups.map((group) =>
                h(
                  NcCheckboxRadioSwitch,
                  {
                    key: group.id,
                    type: 'radio',
                    name: 'laboite-portal-group',
                    value: group.id,
                    modelValue: chosen.value,
                    disabled: done.value,
                    'onUpdate:modelValue': (v: string) => (chosen.value = v),
                  },
                  () => group.name,
                ),
              ),
            ]),
            h(
              'div',
              { 'aria-live': 'polite' },
              note.value === null ? [] : [h(NcNoteCard, { type: note.value.type }, () => note.value?.text)],
            ),
          ],
          actions: () =>
            done.value
              ? [h(NcButton, { variant: 'primary', onClick: () => emit('close') }, () => t('laboite', 'Close'))]
              : [
                  h(NcButton, { onClick: () => emit('close') }, () => t('laboite', 'Cancel')),
                  h(NcButton, { variant: 'primary', disabled: busy.value || chosen.value === '', onClick: share }, () =>
                    t('laboite', 'Share'),
                  ),
                ],
        },
      );
  },
});

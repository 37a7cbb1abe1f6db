// SPDX-License-Identifier: AGPL-3.0-or-later
import { translate as t } from '@nextcloud/l10n';
import NcButton from '@nextcloud/vue/components/NcButton';
import NcEmptyContent from '@nextcloud/vue/components/NcEmptyContent';
import { defineComponent, h } from 'vue';

/**
 * The dashboard widget's body: the portal's own unread-notifications widget (`<portal>/widget/load`), which reads
 * the person's portal session on the portal's origin, and a link that opens the portal. Without a portal address,
 * it says who can set it.
 */
export default defineComponent({
  name: 'LaBoitePortalWidget',
  props: { portalUrl: { type: String, required: true } },
  setup(props) {
    return () => {
      if (props.portalUrl === '') {
        return h(NcEmptyContent, {
          name: t('laboite', 'The portal is not connected yet'),
          description: t(
            'laboite',
            'An administrator sets its address in Administration settings > Additional settings.',
          ),
        });
      }
      return h('div', { class: 'laboite-widget' }, [
        h('iframe', {
          class: 'laboite-widget__frame',
          src: `${props.portalUrl}/widget/load`,
          title: t('laboite', 'Your unread notifications in the portal'),
          loading: 'lazy',
          referrerpolicy: 'no-referrer',
          sandbox: 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox',
          style: 'width: 100%; height: 96px; border: 0;',
        }),
        h(
          NcButton,
          { href: props.portalUrl, target: '_blank', rel: 'noopener noreferrer', variant: 'secondary', wide: true },
          () => t('laboite', 'Open the portal'),
        ),
      ]);
    };
  },
});

/**
 * Server hooks as PeerTube runs them (server/core/lib/plugins/register-helpers.ts, buildRegisterHook;
 * server/core/lib/plugins/hooks.ts, Hooks.runAction; packages/core-utils/src/plugins/hooks.ts, internalRunHook):
 * - registerHook with a target PeerTube does not know logs "Unknown hook ... Skipping." and registers nothing;
 * - an action hook is fired, not awaited: the request that fired it answers first, each handler runs by priority and
 *   a thrown or rejected handler is logged as "Cannot run hook <target> of plugin <name>.";
 * - filters are awaited, a failing filter keeps the previous value.
 * The target lists are PeerTube 6.3.3's (packages/models/src/plugins/server/server-hook.model.ts); 8.2.3's types
 * list the same 28 action hooks.
 */
export const PEERTUBE_ACTION_HOOKS = [
  'action:application.listening',
  'action:notifier.notification.created',
  'action:api.video.updated',
  'action:api.video.deleted',
  'action:api.video.uploaded',
  'action:api.video.viewed',
  'action:api.video.file-updated',
  'action:api.video-channel.created',
  'action:api.video-channel.updated',
  'action:api.video-channel.deleted',
  'action:api.live-video.created',
  'action:live.video.state.updated',
  'action:api.video-thread.created',
  'action:api.video-comment-reply.created',
  'action:api.video-comment.deleted',
  'action:api.video-caption.created',
  'action:api.video-caption.deleted',
  'action:api.user.blocked',
  'action:api.user.unblocked',
  'action:api.user.registered',
  'action:api.user.requested-registration',
  'action:api.user.created',
  'action:api.user.deleted',
  'action:api.user.updated',
  'action:api.user.oauth2-got-token',
  'action:api.video-playlist-element.created',
  'action:activity-pub.remote-video.created',
  'action:activity-pub.remote-video.updated',
] as const;

export const PEERTUBE_FILTER_HOOKS = [
  'filter:activity-pub.activity.context.build.result',
  'filter:activity-pub.remote-video-comment.create.accept.result',
  'filter:activity-pub.video.json-ld.build.result',
  'filter:api.accounts.videos.list.params',
  'filter:api.accounts.videos.list.result',
  'filter:api.download.generated-video.allowed.result',
  'filter:api.download.torrent.allowed.result',
  'filter:api.download.video.allowed.result',
  'filter:api.live-video.create.accept.result',
  'filter:api.overviews.videos.list.params',
  'filter:api.overviews.videos.list.result',
  'filter:api.search.video-channels.index.list.params',
  'filter:api.search.video-channels.index.list.result',
  'filter:api.search.video-channels.local.list.params',
  'filter:api.search.video-channels.local.list.result',
  'filter:api.search.video-playlists.index.list.params',
  'filter:api.search.video-playlists.index.list.result',
  'filter:api.search.video-playlists.local.list.params',
  'filter:api.search.video-playlists.local.list.result',
  'filter:api.search.videos.index.list.params',
  'filter:api.search.videos.index.list.result',
  'filter:api.search.videos.local.list.params',
  'filter:api.search.videos.local.list.result',
  'filter:api.server.stats.get.result',
  'filter:api.user.me.get.result',
  'filter:api.user.me.subscription-videos.list.params',
  'filter:api.user.me.subscription-videos.list.result',
  'filter:api.user.me.videos.list.params',
  'filter:api.user.me.videos.list.result',
  'filter:api.user.request-signup.allowed.result',
  'filter:api.user.signup.allowed.result',
  'filter:api.video-channel.get.result',
  'filter:api.video-channels.list.params',
  'filter:api.video-channels.list.result',
  'filter:api.video-channels.videos.list.params',
  'filter:api.video-channels.videos.list.result',
  'filter:api.video-comment-reply.create.accept.result',
  'filter:api.video-playlist.videos.list.params',
  'filter:api.video-playlist.videos.list.result',
  'filter:api.video-thread-comments.list.params',
  'filter:api.video-thread-comments.list.result',
  'filter:api.video-thread.create.accept.result',
  'filter:api.video-threads.list.params',
  'filter:api.video-threads.list.result',
  'filter:api.video.get.result',
  'filter:api.video.import-torrent.video-attribute.result',
  'filter:api.video.import-url.video-attribute.result',
  'filter:api.video.live.video-attribute.result',
  'filter:api.video.post-import-torrent.accept.result',
  'filter:api.video.post-import-url.accept.result',
  'filter:api.video.pre-import-torrent.accept.result',
  'filter:api.video.pre-import-url.accept.result',
  'filter:api.video.update-file.accept.result',
  'filter:api.video.upload.accept.result',
  'filter:api.video.upload.video-attribute.result',
  'filter:api.video.user-import.accept.result',
  'filter:api.video.user-import.video-attribute.result',
  'filter:api.videos.list.params',
  'filter:api.videos.list.result',
  'filter:feed.podcast.channel.create-custom-tags.result',
  'filter:feed.podcast.rss.create-custom-xmlns.result',
  'filter:feed.podcast.video.create-custom-tags.result',
  'filter:html.client.json-ld.result',
  'filter:html.embed.video-playlist.allowed.result',
  'filter:html.embed.video.allowed.result',
  'filter:job-queue.process.params',
  'filter:job-queue.process.result',
  'filter:transcoding.auto.resolutions-to-transcode.result',
  'filter:transcoding.manual.resolutions-to-transcode.result',
  'filter:video.auto-blacklist.result',
] as const;

type Handler = (params: unknown, extra?: unknown) => unknown;

export interface HookRegistry {
  register(hook: { target?: unknown; handler?: unknown; priority?: unknown }): void;
  /** Fires an action hook as PeerTube does: returns at once, handlers run in the background. */
  fire(target: string, params: Record<string, unknown>): void;
  /** Runs a filter hook over a value. */
  filter<T>(target: string, value: T, params?: Record<string, unknown>): Promise<T>;
  /** Resolves when every fired handler has finished (for tests: PeerTube itself never waits). */
  settled(): Promise<void>;
  readonly counts: ReadonlyMap<string, number>;
}

export function createHookRegistry(
  pluginName: string,
  npmName: string,
  logger: { warn(m: string): void; error(m: string): void },
): HookRegistry {
  const known = new Set<string>([...PEERTUBE_ACTION_HOOKS, ...PEERTUBE_FILTER_HOOKS]);
  const handlers = new Map<string, { handler: Handler; priority: number }[]>();
  const running = new Set<Promise<unknown>>();
  const failed = (target: string, error: unknown) =>
    logger.error(
      `Cannot run hook ${target} of plugin ${pluginName}. ${error instanceof Error ? error.message : error}`,
    );
  return {
    register(hook) {
      if (typeof hook.target !== 'string' || !known.has(hook.target)) {
        logger.warn(`Unknown hook ${String(hook.target)} of plugin ${npmName}. Skipping.`);
        return;
      }
      if (typeof hook.handler !== 'function') return;
      const list = handlers.get(hook.target) ?? [];
      list.push({ handler: hook.handler as Handler, priority: typeof hook.priority === 'number' ? hook.priority : 0 });
      list.sort((a, b) => b.priority - a.priority);
      handlers.set(hook.target, list);
    },
    fire(target, params) {
      const run = (async () => {
        for (const { handler } of handlers.get(target) ?? []) {
          try {
            const result = handler(params);
            if (result && typeof (result as Promise<unknown>).then === 'function') {
              const pending = (result as Promise<unknown>).then(undefined, (error) => failed(target, error));
              running.add(pending);
              void pending.finally(() => running.delete(pending));
            }
          } catch (error) {
            failed(target, error);
          }
        }
      })();
      running.add(run);
      void run.finally(() => running.delete(run));
    },
    async filter(target, value, params = {}) {
      let result = value;
      for (const { handler } of handlers.get(target) ?? []) {
        try {
          result = (await (handler as (v: unknown, p: unknown) => unknown)(result, params)) as typeof value;
        } catch (error) {
          failed(target, error);
        }
      }
      return result;
    },
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    get counts() {
      return new Map([...handlers].map(([target, list]) => [target, list.length]));
    },
  };
}

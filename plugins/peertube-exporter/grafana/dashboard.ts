import { buildGrafanaDashboard, type GrafanaRowSpec, INSTANCE_FILTER } from '@apps-education/build/grafana';

export { DATASOURCE_UID } from '@apps-education/build/grafana';

/**
 * The Grafana dashboard of the PeerTube instances (an importable JSON model: `__inputs` asks for the Prometheus data
 * source, `$instance` picks one or several of the 11 instances). One panel per metric family of the exporter.
 * `pnpm build` writes it to dist/peertube-dashboard.json; the tests run every expression against a real Prometheus.
 */

const I = INSTANCE_FILTER;

export const ROWS: readonly GrafanaRowSpec[] = [
  {
    title: 'Exporter / Exportateur',
    panels: [
      {
        title: 'Exporter up / Exportateur actif',
        description: '1: the last refresh read the database and Redis; 0: the values shown are the last good ones.',
        type: 'stat',
        unit: 'none',
        targets: [{ expr: `min by (instance) (peertube_exporter_up{${I}})`, legend: '{{instance}}' }],
      },
      {
        title: 'PeerTube versions / Versions de PeerTube',
        description: 'How many of the selected instances run each PeerTube version.',
        type: 'stat',
        unit: 'none',
        targets: [{ expr: `count by (version) (peertube_info{${I}})`, legend: '{{version}}' }],
      },
      {
        title: 'Refresh duration / Durée du rafraîchissement',
        description: 'Time the last refresh took (database queries and Redis).',
        type: 'timeseries',
        unit: 's',
        targets: [{ expr: `peertube_exporter_refresh_duration_seconds{${I}}`, legend: '{{instance}}' }],
      },
      {
        title: 'Age of the values / Âge des valeurs',
        description: 'Time since the last successful refresh.',
        type: 'timeseries',
        unit: 's',
        targets: [{ expr: `time() - peertube_exporter_last_success_timestamp_seconds{${I}}`, legend: '{{instance}}' }],
      },
      {
        title: 'Sources read / Sources lues',
        description:
          "Job queues found in Redis (0: wrong Redis address or prefix in the settings), and whether the figures only PeerTube's process holds (inbox, viewers) can be read.",
        type: 'stat',
        unit: 'none',
        targets: [
          { expr: `min by (instance) (peertube_job_queues_found{${I}})`, legend: 'job queues {{instance}}' },
          { expr: `min by (source) (peertube_exporter_source_up{${I}})`, legend: '{{source}}' },
        ],
      },
    ],
  },
  {
    title: 'Users / Utilisateurs',
    panels: [
      {
        title: 'Accounts by role / Comptes par rôle',
        description: 'Local accounts by role, blocked ones apart.',
        type: 'timeseries',
        unit: 'none',
        stack: true,
        targets: [{ expr: `sum by (role, blocked) (peertube_users{${I}})`, legend: '{{role}} blocked={{blocked}}' }],
      },
      {
        title: 'Active users / Utilisateurs actifs',
        description: 'Local users who signed in within the last day, 7 days and 30 days.',
        type: 'timeseries',
        unit: 'none',
        targets: [{ expr: `sum by (window) (peertube_active_users{${I}})`, legend: '{{window}}' }],
      },
      {
        title: 'Sign-ins and registrations per hour / Connexions et inscriptions par heure',
        description: 'From PeerTube hooks (counters restart at 0 when PeerTube restarts; increase() handles it).',
        type: 'timeseries',
        unit: 'none',
        targets: [
          {
            expr: `sum by (instance) (increase(peertube_user_sign_ins_total{${I}}[1h]))`,
            legend: 'sign-ins {{instance}}',
          },
          {
            expr: `sum by (instance) (increase(peertube_user_registrations_total{${I}}[1h]))`,
            legend: 'registrations {{instance}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Videos / Vidéos',
    panels: [
      {
        title: 'Videos by privacy / Vidéos par confidentialité',
        description: 'All videos known to the instances, public or not.',
        type: 'timeseries',
        unit: 'none',
        stack: true,
        targets: [{ expr: `sum by (privacy) (peertube_videos{${I}})`, legend: '{{privacy}}' }],
      },
      {
        title: 'Videos by origin and state / Vidéos par origine et état',
        description: 'Local or remote (federated), and their processing state.',
        type: 'timeseries',
        unit: 'none',
        targets: [{ expr: `sum by (origin, state) (peertube_videos{${I}})`, legend: '{{origin}} {{state}}' }],
      },
      {
        title: 'Lives running / Directs en cours',
        description: 'Local live videos streaming now.',
        type: 'stat',
        unit: 'none',
        targets: [{ expr: `sum(peertube_live_videos_running{${I}})`, legend: 'lives' }],
      },
      {
        title: 'Total duration / Durée totale',
        description: 'Sum of the durations of the videos known to the instances.',
        type: 'stat',
        unit: 's',
        targets: [{ expr: `sum(peertube_videos_duration_seconds{${I}})`, legend: 'duration' }],
      },
      {
        title: 'Uploads per hour / Envois par heure',
        description: 'Videos uploaded, from PeerTube hooks.',
        type: 'timeseries',
        unit: 'none',
        targets: [
          { expr: `sum by (instance) (increase(peertube_video_uploads_total{${I}}[1h]))`, legend: '{{instance}}' },
        ],
      },
    ],
  },
  {
    title: 'Views and engagement / Vues et interactions',
    panels: [
      {
        title: 'Views of local videos / Vues des vidéos locales',
        description: 'In the last hour and day (hourly view table), and since publication.',
        type: 'timeseries',
        unit: 'none',
        targets: [
          { expr: `sum by (window) (peertube_local_video_views_recent{${I}})`, legend: 'last {{window}}' },
          { expr: `sum(peertube_local_video_views{${I}})`, legend: 'since publication' },
        ],
      },
      {
        title: 'Views per minute / Vues par minute',
        description: 'Views counted by PeerTube, from its hook.',
        type: 'timeseries',
        unit: 'none',
        targets: [
          {
            expr: `sum by (instance) (rate(peertube_video_view_events_total{${I}}[5m])) * 60`,
            legend: '{{instance}}',
          },
        ],
      },
      {
        title: 'Viewers now / Spectateurs en ce moment',
        description: "People watching a video now, by viewer origin and video origin (from PeerTube's memory).",
        type: 'timeseries',
        unit: 'none',
        stack: true,
        targets: [
          {
            expr: `sum by (viewer_origin, video_origin) (peertube_viewers{${I}})`,
            legend: 'viewers {{viewer_origin}} on {{video_origin}} videos',
          },
        ],
      },
      {
        title: 'Comments, playlists, channels / Commentaires, listes, chaînes',
        description:
          'Local and remote ones; playlists without each account\'s "Watch later"; comments held for review.',
        type: 'timeseries',
        unit: 'none',
        targets: [
          { expr: `sum by (origin) (peertube_video_comments{${I}})`, legend: 'comments {{origin}}' },
          { expr: `sum(peertube_video_comments_held_for_review{${I}})`, legend: 'comments held for review' },
          { expr: `sum by (origin) (peertube_video_playlists{${I}})`, legend: 'playlists {{origin}}' },
          { expr: `sum by (origin) (peertube_video_channels{${I}})`, legend: 'channels {{origin}}' },
        ],
      },
      {
        title: 'Federation / Fédération',
        description: 'Instances following these ones, and instances they follow.',
        type: 'timeseries',
        unit: 'none',
        targets: [
          { expr: `sum by (instance) (peertube_follower_instances{${I}})`, legend: 'followers {{instance}}' },
          { expr: `sum by (instance) (peertube_following_instances{${I}})`, legend: 'following {{instance}}' },
        ],
      },
      {
        title: 'ActivityPub inbox / Boîte de réception ActivityPub',
        description: 'Federation messages processed and failed per minute, and waiting to be processed.',
        type: 'timeseries',
        unit: 'none',
        targets: [
          {
            expr: `sum by (instance) (rate(peertube_activitypub_inbox_processed_total{${I}}[5m])) * 60`,
            legend: 'processed/min {{instance}}',
          },
          {
            expr: `sum by (instance) (rate(peertube_activitypub_inbox_errors_total{${I}}[5m])) * 60`,
            legend: 'failed/min {{instance}}',
          },
          { expr: `sum by (instance) (peertube_activitypub_inbox_waiting{${I}})`, legend: 'waiting {{instance}}' },
        ],
      },
    ],
  },
  {
    title: 'Storage / Stockage',
    panels: [
      {
        title: 'Video files by resolution / Fichiers vidéo par définition',
        description: 'Bytes of video files by resolution (0: audio only).',
        type: 'timeseries',
        unit: 'bytes',
        stack: true,
        targets: [{ expr: `sum by (resolution) (peertube_video_files_bytes{${I}})`, legend: '{{resolution}}p' }],
      },
      {
        title: 'Video files by storage and kind / Fichiers par stockage et type',
        description: 'Filesystem or object storage; web video or HLS.',
        type: 'timeseries',
        unit: 'bytes',
        stack: true,
        targets: [
          { expr: `sum by (storage, kind) (peertube_video_files_bytes{${I}})`, legend: '{{storage}} {{kind}}' },
        ],
      },
      {
        title: 'Quotas used / Quotas utilisés',
        description: 'Bytes of local videos against the sum of the quotas given (unlimited quotas left out).',
        type: 'timeseries',
        unit: 'percentunit',
        targets: [
          {
            expr: `sum by (instance) (peertube_users_video_used_bytes{${I}}) / sum by (instance) (peertube_users_video_quota_bytes{${I}})`,
            legend: '{{instance}}',
          },
        ],
      },
      {
        title: 'Storage used / Stockage utilisé',
        description: 'Local video files against the capacity declared in the plugin settings (no line when not set).',
        type: 'timeseries',
        unit: 'percentunit',
        targets: [
          {
            expr: `sum by (instance) (peertube_video_files_bytes{storage="filesystem", ${I}}) / on (instance) peertube_storage_capacity_bytes{${I}}`,
            legend: '{{instance}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Jobs / Tâches',
    panels: [
      {
        title: 'Jobs by state / Tâches par état',
        description: 'Waiting, active, delayed, failed jobs, and flows waiting for their children (uploads).',
        type: 'timeseries',
        unit: 'none',
        targets: [{ expr: `sum by (state) (peertube_jobs{${I}})`, legend: '{{state}}' }],
      },
      {
        title: 'Waiting jobs by type / Tâches en attente par type',
        description: 'Backlog per job type.',
        type: 'timeseries',
        unit: 'none',
        stack: true,
        targets: [{ expr: `sum by (type) (peertube_jobs{state="waiting", ${I}})`, legend: '{{type}}' }],
      },
      {
        title: 'Oldest waiting job / Plus ancienne tâche en attente',
        description: 'Age of the oldest waiting job per type (alert above one hour).',
        type: 'timeseries',
        unit: 's',
        targets: [{ expr: `max by (type) (peertube_job_oldest_waiting_age_seconds{${I}})`, legend: '{{type}}' }],
      },
      {
        title: 'Remote runner jobs / Tâches des runners distants',
        description: 'By state code of PeerTube runner jobs.',
        type: 'timeseries',
        unit: 'none',
        targets: [{ expr: `sum by (state) (peertube_runner_jobs{${I}})`, legend: 'state {{state}}' }],
      },
    ],
  },
  {
    title: 'PeerTube process / Processus PeerTube',
    panels: [
      {
        title: 'CPU / Processeur',
        description: 'CPU time of the PeerTube process per second (1 = one core busy).',
        type: 'timeseries',
        unit: 'none',
        targets: [{ expr: `rate(process_cpu_seconds_total{${I}}[5m])`, legend: '{{instance}}' }],
      },
      {
        title: 'Memory / Mémoire',
        description: 'Resident memory of the process, and the JavaScript heap used, allocated and outside (buffers).',
        type: 'timeseries',
        unit: 'bytes',
        targets: [
          { expr: `process_resident_memory_bytes{${I}}`, legend: 'resident {{instance}}' },
          { expr: `nodejs_heap_size_used_bytes{${I}}`, legend: 'heap used {{instance}}' },
          { expr: `nodejs_heap_size_total_bytes{${I}}`, legend: 'heap {{instance}}' },
          { expr: `nodejs_external_memory_bytes{${I}}`, legend: 'external {{instance}}' },
        ],
      },
      {
        title: "Event-loop lag / Retard de la boucle d'événements",
        description: 'How late the process runs what it has to do (p99, mean, max since the previous scrape).',
        type: 'timeseries',
        unit: 's',
        targets: [
          { expr: `nodejs_eventloop_lag_p99_seconds{${I}}`, legend: 'p99 {{instance}}' },
          { expr: `nodejs_eventloop_lag_mean_seconds{${I}}`, legend: 'mean {{instance}}' },
          { expr: `nodejs_eventloop_lag_max_seconds{${I}}`, legend: 'max {{instance}}' },
        ],
      },
      {
        title: 'Garbage collection / Ramasse-miettes',
        description: 'Share of time spent collecting garbage, by kind.',
        type: 'timeseries',
        unit: 'percentunit',
        stack: true,
        targets: [{ expr: `sum by (kind) (rate(nodejs_gc_duration_seconds_sum{${I}}[5m]))`, legend: '{{kind}}' }],
      },
      {
        title: 'Handles and files / Ressources et fichiers',
        description: 'Open sockets, timers and files of the process.',
        type: 'timeseries',
        unit: 'none',
        targets: [
          { expr: `nodejs_active_handles{${I}}`, legend: 'handles {{instance}}' },
          { expr: `process_open_fds{${I}}`, legend: 'open files {{instance}}' },
        ],
      },
    ],
  },
];

export function buildDashboard() {
  return buildGrafanaDashboard({
    uid: 'apps-peertube',
    title: 'PeerTube (apps.education.fr)',
    description: 'Metrics of peertube-plugin-apps-exporter / Métriques du greffon peertube-plugin-apps-exporter',
    tags: ['peertube', 'apps.education.fr'],
    datasourceDescription: 'The Prometheus that scrapes the PeerTube instances',
    instanceMetric: 'peertube_exporter_up',
    rows: ROWS,
  });
}

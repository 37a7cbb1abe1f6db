export {
  ARTEFACTS_DIR,
  artefact,
  buildArtefacts,
  installServicePackage,
  REPO_ROOT,
  unpackNextcloudApp,
  unpackPeerTubePlugin,
} from './artefacts.js';
export { startRoundRobin } from './balancer.js';
export {
  type BbbChecksumAlgorithm,
  type BbbDouble,
  type BbbFetchedDocument,
  type BbbMeeting,
  type DocumentServer,
  startBbbDouble,
  startDocumentServer,
} from './bbb-double.js';
export {
  type AccessibilityViolation,
  accessibilityViolations,
  focusedElement,
  launchBrowser,
  waitForFocus,
} from './browser.js';
export { type Clamd, EICAR, startClamd } from './clamd.js';
export { type FakeClock, fakeClock, seededRandom, waitFor } from './clock.js';
export { createTestDatabase, POSTGRES_URL, type TestDatabase } from './databases.js';
export { type Forgery, type ForgingProvider, startForgingProvider } from './forging-provider.js';
export { type GrafanaModel, grafanaDashboardProblems } from './grafana.js';
export {
  DEFAULT_GROUPS,
  DEFAULT_USERS,
  type LaboiteDouble,
  type LaboiteDoubleOptions,
  type LaboiteGroup,
  type LaboiteMode,
  type LaboiteUser,
  meteorId,
  type ReceivedNotification,
  startLaboiteDouble,
} from './laboite-double.js';
export {
  type AdminSettingsState,
  type NextcloudPageDouble,
  type NextcloudPageDoubleOptions,
  startNextcloudPageDouble,
} from './nextcloud-page-double.js';
export {
  type OidcProviderHandle,
  type OidcProviderOptions,
  type RecordedLogout,
  startOidcProvider,
  TEST_USERS,
  type TestClient,
  type TestUser,
} from './oidc-provider.js';
export { PEERTUBE_ACTION_HOOKS, PEERTUBE_FILTER_HOOKS } from './peertube/hooks.js';
export {
  createPeerTubeSequelize,
  type PeerTubeHost,
  type PeerTubeHostOptions,
  startPeerTubeHost,
} from './peertube/host.js';
export { type InstalledPlugin, PluginInstallError } from './peertube/install.js';
export { type PluginInHost, startPluginInHost } from './peertube/plugin-in-host.js';
export { createPeerTubeProcessModules, type PeerTubeProcessModules } from './peertube/process-modules.js';
export {
  ActorNameUnavailable,
  type PeerTubeUser,
} from './peertube/users.js';
export { behaviourOf, PEERTUBE_VERSIONS, type PeerTubeVersion, type VersionBehaviour } from './peertube/versions.js';
export { PEERTUBE_SCHEMA, type PeerTubeScale, PLATFORM_SCALE, seedPeerTube } from './peertube-schema.js';
export { freePort } from './ports.js';
export {
  measuredParts,
  type PrometheusSample,
  type RunningPrometheus,
  startPrometheus,
} from './prometheus.js';
export { type AlertRulesReport, promtoolAlertRules } from './promtool.js';
export { REDIS_URL, requireRedis } from './redis.js';
export { type RedisSentinelHandle, startRedisSentinel } from './redis-sentinel.js';
export { type S3Peer, startS3 } from './s3.js';
export {
  createSamlForger,
  type ForgedResponse,
  type SamlForger,
  type SigningKey,
  samlId,
  xmlText,
} from './saml-forger.js';
export {
  pemBody,
  readPostForm,
  type SamlPostForm,
  type SamlTestServiceProvider,
  type SamlTestUser,
  type SimpleSamlIdp,
  startSimpleSamlIdp,
} from './simplesamlphp.js';
export {
  type CapturedProcess,
  MissingPeerError,
  type PeerOptions,
  type RunningPeer,
  requireCommand,
  run,
  spawnCaptured,
  startPeer,
} from './system-peer.js';
export { createTestCertificateAuthority, type TestCertificate, type TestCertificateAuthority } from './test-ca.js';
export { type TempDir, tempDir } from './tmp.js';
export { createUserAgent, type Hop, signInThroughForm, type UserAgent } from './user-agent.js';

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type RunningPeer, requireCommand, startPeer } from '@apps-education/testkit';

const MODULES = '/usr/lib/apache2/modules';

/**
 * A standalone Apache 2.4 with mod_auth_cas (Debian libapache2-mod-auth-cas 1.2): two virtual hosts, one
 * validating with CAS 2 at /p3/serviceValidate, one with SAML 1.1 at /samlValidate, both with single sign-out.
 * `/protected/` needs any CAS user; `/admins/` needs the attribute memberOf=admin_maths-4e-b. The CAS user is
 * echoed back in the response header CAS-User.
 */
export interface ApachePeer {
  readonly cas2Url: string;
  readonly samlUrl: string;
  readonly peer: RunningPeer;
  stop(): Promise<void>;
}

export async function startApache(dir: string, casBase: string, caPath: string): Promise<ApachePeer> {
  const apache = requireCommand('apache2', 'apache2');
  requireCommand(`${MODULES}/mod_auth_cas.so`, 'libapache2-mod-auth-cas');
  const [cas2Port, samlPort] = [await freePort(), await freePort()];
  const docroot = join(dir, 'www');
  const cookies2 = join(dir, 'cas-cookies-2');
  const cookiesSaml = join(dir, 'cas-cookies-saml');
  for (const d of [docroot, join(docroot, 'protected'), join(docroot, 'admins'), cookies2, cookiesSaml])
    mkdirSync(d, { recursive: true });
  writeFileSync(join(docroot, 'protected', 'index.html'), 'protected page\n');
  writeFileSync(join(docroot, 'admins', 'index.html'), 'admins page\n');
  // Apache drops root for `nobody`, which must write the session cookies directory.
  for (const d of [dir, cookies2, cookiesSaml]) chmodSync(d, 0o777);
  const locations = `
  DocumentRoot "${docroot}"
  <Directory "${docroot}">
    Require all granted
  </Directory>
  <Location /protected>
    AuthType CAS
    CASAuthNHeader CAS-User
    Require valid-user
    Header echo ^CAS-User$
  </Location>
  <Location /admins>
    AuthType CAS
    CASAuthNHeader CAS-User
    Require cas-attribute memberOf:admin_maths-4e-b
    Header echo ^CAS-User$
  </Location>`;
  const conf = `
ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${cas2Port}
Listen 127.0.0.1:${samlPort}
PidFile "${join(dir, 'apache.pid')}"
ErrorLog "${join(dir, 'error.log')}"
LogLevel warn auth_cas:debug
User nobody
Group nogroup
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authn_core_module ${MODULES}/mod_authn_core.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule authz_user_module ${MODULES}/mod_authz_user.so
LoadModule headers_module ${MODULES}/mod_headers.so
LoadModule dir_module ${MODULES}/mod_dir.so
LoadModule mime_module ${MODULES}/mod_mime.so
LoadModule auth_cas_module ${MODULES}/mod_auth_cas.so
DirectoryIndex index.html
TypesConfig /etc/mime.types
CASDebug On
CASCertificatePath "${caPath}"
CASLoginURL ${casBase}/login
CASSSOEnabled On
<VirtualHost 127.0.0.1:${cas2Port}>
  ServerName 127.0.0.1:${cas2Port}
  UseCanonicalName On
  CASVersion 2
  CASCookiePath "${cookies2}/"
  CASValidateURL ${casBase}/p3/serviceValidate
${locations}
</VirtualHost>
<VirtualHost 127.0.0.1:${samlPort}>
  ServerName 127.0.0.1:${samlPort}
  UseCanonicalName On
  CASCookiePath "${cookiesSaml}/"
  CASValidateURL ${casBase}/samlValidate
  CASValidateSAML On
${locations}
</VirtualHost>
`;
  const confPath = join(dir, 'apache.conf');
  writeFileSync(confPath, conf);
  const peer = await startPeer({
    name: 'Apache + mod_auth_cas',
    command: apache,
    args: ['-f', confPath, '-DFOREGROUND'],
    env: { APACHE_RUN_DIR: dir, APACHE_LOCK_DIR: dir, APACHE_LOG_DIR: dir },
    readyPort: samlPort,
    logFile: join(dir, 'error.log'),
  });
  return {
    cas2Url: `http://127.0.0.1:${cas2Port}`,
    samlUrl: `http://127.0.0.1:${samlPort}`,
    peer,
    stop: () => peer.stop(),
  };
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { composeProfiles } from './compose';

/**
 * Each profile is used alone: docker compose interpolates the whole file before it applies profiles, so a variable
 * required anywhere (`${VAR:?…}`) breaks every profile, and a service that depends on another profile's service
 * cannot start. This reads docker-compose.yml as compose would resolve it for each profile.
 */
const text = readFileSync(path.resolve(__dirname, '../../../docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
}

const WAITER = 'servicebus-ready -> servicebus-emulator: service_started';

const { services } = YAML.parse(text) as { services: Record<string, Service> };
const dependencies = (of: Service) => (Array.isArray(of.depends_on) ? of.depends_on : Object.keys(of.depends_on ?? {}));
const inProfile = (profile: string) =>
  Object.entries(services).filter(([, each]) => !each.profiles?.length || each.profiles.includes(profile));

describe('docker-compose.yml, one profile at a time', () => {
  it.each(composeProfiles)('%s: every service depends only on services of the same profile or of none', (profile) => {
    const active = new Set(inProfile(profile).map(([name]) => name));
    expect(active.size).toBeGreaterThan(0);
    const outside = inProfile(profile).flatMap(([name, each]) =>
      dependencies(each)
        .filter((dependency) => !active.has(dependency))
        .map((dependency) => `${name} -> ${dependency}`),
    );
    expect(outside).toEqual([]);
  });

  it.each(composeProfiles)('%s: every dependency is waited for until healthy or, for a one-shot, finished', (profile) => {
    for (const [name, each] of inProfile(profile)) {
      expect(Array.isArray(each.depends_on)).toBe(false);
      for (const [dependency, { condition }] of Object.entries((each.depends_on ?? {}) as Record<string, { condition: string }>)) {
        const line = `${name} -> ${dependency}: ${condition}`;
        // The one exception: no check runs inside the emulator's image, so this one-shot is what waits for its health.
        if (line === WAITER) continue;
        expect(line).toMatch(/: (service_healthy|service_completed_successfully)$/);
      }
    }
  });

  it('requires no variable anywhere, so no profile needs the settings of another', () => {
    const required = text.split('\n').filter((line) => /\$\{[A-Za-z_][A-Za-z0-9_]*:?\?/.test(line));
    expect(required).toEqual([]);
  });

  it('pins every image it does not build, under a variable that overrides it, and never to latest', () => {
    const pulled = Object.entries(services).filter(([, each]) => each.build === undefined);
    expect(pulled.length).toBeGreaterThan(0);
    for (const [name, each] of pulled) {
      expect(`${name}: ${each.image}`).toMatch(new RegExp(`^${name}: \\$\\{[A-Z][A-Z0-9_]*_IMAGE:-[^}:]+:[^}]+\\}$`));
      expect(`${name}: ${each.image}`).not.toMatch(/latest/);
    }
  });
});

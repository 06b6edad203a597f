interface LockedPackage {
  readonly hasInstallScript?: boolean;
}

/**
 * The locked packages with an install script that `allowScripts` in package.json neither approves nor denies, by name.
 * npm 11.16 and later warn of them at every install; npm 12 skips their scripts, which would leave, for one, the
 * embedded PostgreSQL without its libraries' symlinks. Entries are by name, without a version: the lockfile already
 * pins each version, and a dependency update should not reopen a review of the same package.
 */
export function unreviewedInstallScripts(
  lock: { readonly packages: Readonly<Record<string, LockedPackage>> },
  allowScripts: Readonly<Record<string, boolean>> = {},
): string[] {
  const names = Object.entries(lock.packages)
    .filter(([location, entry]) => location !== '' && entry.hasInstallScript === true)
    .map(([location]) => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length));
  return [...new Set(names)].filter((name) => allowScripts[name] === undefined).sort();
}

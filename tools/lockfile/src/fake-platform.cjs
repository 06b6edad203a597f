// Preloaded into npm by check-platforms: npm then sees another machine's process.platform and process.arch, and
// refuses a package whose `os`/`cpu` exclude it as it would there (npm's --os/--cpu flags only pick optional ones).
const [platform, arch] = (process.env.STITCH_FAKE_PLATFORM || '').split('-');
if (!platform || !arch) throw new Error('STITCH_FAKE_PLATFORM must be <platform>-<arch>, e.g. darwin-arm64');
Object.defineProperty(process, 'platform', { value: platform });
Object.defineProperty(process, 'arch', { value: arch });

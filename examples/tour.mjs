// A short tour of start-guard as it stands: what the native runtime reports, and each primitive
// used the way an app would use it.
import { isStartGuardError, randomBytes, runtimeInfo } from 'start-guard';

const info = runtimeInfo();
const cpu = Object.entries(info.cpu)
  .filter(([, on]) => on)
  .map(([name]) => name)
  .join(' ');
console.log(`libsodium ${info.sodium}, Node-API ${info.napi}, Node ${process.versions.node}`);
console.log(`CPU features used by libsodium: ${cpu}`);
console.log(`128-bit session id from the OS CSPRNG: ${Buffer.from(randomBytes(16)).toString('hex')}`);
try {
  randomBytes(1 << 20);
} catch (e) {
  console.log(`bad input gets a coded error, not a crash: ${e.name} ${e.code}`);
}
console.log(`isStartGuardError(new Error()) = ${isStartGuardError(new Error('x'))}`);

/**
 * Preloaded (`node --require`) into every function process the local stack
 * starts. The stack stops its children by process group on Ctrl-C; this
 * covers the case it cannot: the stack itself killed with SIGKILL or
 * crashing. When the parent is gone (the child was re-parented), the child
 * ends itself instead of holding its port for ever.
 */
const parent = process.ppid;

setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
}, 1000).unref();

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSelfContainedUser, resolveImageUser } from './image-user.js';

const files: Record<string, string> = {
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n# comment\nbroken line\n',
  '/etc/group': 'root:x:0:\napp:x:1001:\nstaff:x:50:app,other\naudio:x:29:other\n',
};
const read = async (path: string) => files[path];
const none = async () => undefined;

test('root and numeric uid:gid need no lookup', async () => {
  assert.deepEqual(await resolveImageUser('', none), { uid: 0, gid: 0 });
  assert.deepEqual(await resolveImageUser('root', none), { uid: 0, gid: 0 });
  assert.deepEqual(await resolveImageUser('123:456', none), { uid: 123, gid: 456 });
  assert.ok(isSelfContainedUser('123:456') && isSelfContainedUser('') && !isSelfContainedUser('app') && !isSelfContainedUser('1000'));
});

test('names resolve through the image passwd and group, with supplementary groups', async () => {
  assert.deepEqual(await resolveImageUser('app', read), { uid: 1000, gid: 1001, additionalGids: [50] });
  assert.deepEqual(await resolveImageUser('app:staff', read), { uid: 1000, gid: 50 });
  assert.deepEqual(await resolveImageUser('1000', read), { uid: 1000, gid: 1001, additionalGids: [50] });
  assert.deepEqual(await resolveImageUser('4242', read), { uid: 4242, gid: 0 }, 'an unknown uid runs with gid 0');
});

test('unknown names are errors, not root', async () => {
  await assert.rejects(resolveImageUser('ghost', read), /ghost/);
  await assert.rejects(resolveImageUser('app:ghosts', read), /ghosts/);
  await assert.rejects(resolveImageUser('app', none), /app/);
});

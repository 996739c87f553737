import { describe } from 'vitest';
import { ruleTester } from '../../helpers/compose-tester.js';

const svc = (ports: string[], name = 'a') =>
  `  ${name}:\n    image: x\n    ports:\n${ports.map((p) => `      - "${p}"\n`).join('')}`;
const file = (...s: string[]) => `services:\n${s.join('')}`;

describe('duplicate-host-port', () => {
  ruleTester('duplicate-host-port', {
    valid: [
      // the best-known compose linter gets these wrong (it drops the host IP, and reads "8080" as host port 8080)
      { name: '"8080" is a container port with a random host port', code: file(svc(['8080:80']), svc(['8080'], 'b')) },
      {
        name: '0.0.0.0:P + [::]:P coexist (Docker binds [::] v6-only; dclint #305)',
        code: file(svc(['0.0.0.0:8200:8200', '[::]:8200:8200'])),
      },
      {
        name: '127.0.0.1:P and 127.0.0.2:P coexist',
        code: file(svc(['127.0.0.1:8080:80']), svc(['127.0.0.2:8080:80'], 'b')),
      },
      { name: 'tcp and udp never collide', code: file(svc(['53:53/tcp']), svc(['53:53/udp'], 'b')) },
      { name: '[::1]:P and 127.0.0.1:P coexist', code: file(svc(['[::1]:9000:80']), svc(['127.0.0.1:9000:80'], 'b')) },
      { name: 'ranges that do not overlap', code: file(svc(['8000-8004:80-84']), svc(['8005-8009:80-84'], 'b')) },
      {
        name: 'an inactive profile does not publish',
        code: `services:\n  a:\n    image: x\n    ports: ["8080:80"]\n  b:\n    image: x\n    profiles: [debug]\n    ports: ["8080:80"]\n`,
      },
      {
        name: 'an override repeating the same mapping is one mapping',
        code: [
          { path: 'compose.yaml', text: file(svc(['8080:80'])) },
          { path: 'compose.override.yaml', text: file(svc(['8080:80'])) },
        ],
      },
    ],
    invalid: [
      {
        name: 'same host port across services',
        code: file(svc(['8080:80']), svc(['8080:81'], 'b')),
        errors: [
          {
            line: 9,
            column: 9,
            endLine: 9,
            endColumn: 18,
            severity: 'error',
            messageId: 'sameHostIp',
            data: {
              proto: 'tcp',
              hostIp: null,
              port: 8080,
              services: ['a', 'b'],
              other: 'app/a (compose.yaml:5)',
              sameService: false,
            },
          },
        ],
      },
      {
        name: '127.0.0.1:P vs 0.0.0.0:P clashes (the lab\'s trap: "address already in use")',
        code: file(svc(['0.0.0.0:8080:80']), svc(['127.0.0.1:8080:80'], 'b')),
        errors: [
          {
            line: 9,
            column: 9,
            endColumn: 28,
            messageId: 'overlappingHostIp',
            data: { hostIp: '127.0.0.1', port: 8080, otherIp: '0.0.0.0' },
          },
        ],
      },
      {
        name: 'default (no IP) vs [::]:P clashes',
        code: file(svc(['9000:80']), svc(['[::]:9000:80'], 'b')),
        errors: [{ line: 9, data: { hostIp: '::', port: 9000 } }],
      },
      {
        name: 'overlapping ranges report the first shared port',
        code: file(svc(['8000-8010:80-90']), svc(['8008:80'], 'b')),
        errors: [{ line: 9, data: { port: 8008 } }],
      },
      {
        name: 'udp clash',
        code: file(svc(['5353:53/udp']), svc(['5353:5353/udp'], 'b')),
        errors: [{ line: 9, data: { proto: 'udp', port: 5353 } }],
      },
      {
        name: 'long syntax, positions of the mapping',
        code: 'services:\n  a:\n    image: x\n    ports:\n      - target: 80\n        published: "8080"\n        host_ip: 127.0.0.1\n  b:\n    image: x\n    ports: ["8080:80"]\n',
        errors: [{ line: 10, column: 13, endColumn: 22, data: { hostIp: null, port: 8080 } }],
      },
      {
        name: 'across files merged together (-f a -f b): the override adds a clash',
        code: [
          { path: 'compose.yaml', text: file(svc(['8080:80'])) },
          { path: 'compose.prod.yaml', text: file(svc(['9090:90'], 'b'), svc(['8080:81'], 'c')) },
        ],
        errors: [{ file: 'compose.prod.yaml', line: 9, data: { services: ['a', 'c'] } }],
      },
      {
        name: 'across compose projects given together',
        projects: [
          { name: 'one', code: file(svc(['8080:80'])) },
          { name: 'two', code: file(svc(['8080:80'])) },
        ],
        code: '',
        errors: [{ file: 'two/compose.yaml', line: 5, data: { projects: ['one', 'two'], services: ['a', 'a'] } }],
      },
      {
        name: 'YAML anchors and merges are followed',
        code: 'x-web: &web\n  image: x\n  ports: ["7070:80"]\nservices:\n  a:\n    <<: *web\n  b:\n    <<: *web\n',
        errors: [{ line: 3, column: 11, data: { services: ['a', 'b'] } }],
      },
      {
        name: 'extends inherits the ports',
        code: 'services:\n  base:\n    image: x\n    ports: ["6060:80"]\n  child:\n    extends: base\n',
        errors: [{ line: 4, data: { services: ['base', 'child'] } }],
      },
      {
        name: 'variables resolve as Compose does (env over default)',
        code: file(svc(['${PORT:-8080}:80']), svc(['9999:80'], 'b')),
        vars: { PORT: '9999' },
        errors: [{ line: 9, data: { port: 9999 } }],
      },
      {
        name: 'a network_mode: host service binds its container ports on the host',
        code: 'services:\n  a:\n    image: x\n    network_mode: host\n    expose: ["8080"]\n  b:\n    image: x\n    ports: ["8080:80"]\n',
        errors: [{ line: 8, data: { port: 8080 } }],
      },
      {
        name: 'an enabled profile publishes',
        profiles: ['debug'],
        code: 'services:\n  a:\n    image: x\n    ports: ["8080:80"]\n  b:\n    image: x\n    profiles: [debug]\n    ports: ["8080:80"]\n',
        errors: [{ line: 8 }],
      },
    ],
  });
});

/** The scenario `netsim new NAME` writes: a server crash, every part commented, valid as it stands. */

/** The template text for a scenario called `name`. */
export function scenarioTemplate(name: string): string {
  return `# A netsim scenario (see apps/netsim/README.md, "Scenario format").
# Check it without running: npm run netsim -- check <this file>
# Run it:                    npm run netsim -- run <this file> --report /tmp/netsim-report
# Every duration below (within, pause, failoverWithin, ...) counts announce intervals.
name: ${JSON.stringify(name)}
description: >
  What this scenario breaks and what must still hold. Here: the server of #room is killed, a
  standby (one of the clients' embedded hosts) takes the channel over, and no post is lost.
announceInterval: 150      # ms, given to every process
timeout: 60                # seconds for the whole run
backends: [local, netns]   # partition, heal and netem need [netns]
# secure: true             # secure mode: one network key, an identity per host, TLS and sealed
#                          #   PDUs; host names still name the peers (README "Secure mode")

hosts:
  s1: { kind: server }                                    # standbyFor: all, dataDir: true, args: [...]
  alice: { kind: client, channel: '#room', server: s1 }   # nick, noHost: true, count: N
  bob: { kind: client, channel: '#room', server: s1 }
  carol: { kind: client, channel: '#room', server: s1, noHost: true }   # never hosts

steps:
  - start: s1                                              # waits until s1 is listening
  - join: [alice, bob, carol]
  - wait: { joined: [alice, bob, carol], host: s1, within: 120 }
  - say: { from: alice, text: [hello, hello] }             # repeated text is fine: posts are numbered
  - say: { from: [bob, carol], count: 20, rate: 50 }       # paced in the background, 50 posts/s each
  - wait: { delivered: true, within: 40 }
  - kill: { hostOf: alice }                                # whoever hosts alice's channel now (s1)
  # Other faults: freeze / stop / restart: s1, kill: standbyOf(#room), leave: [bob],
  #   starve: { hosts: [s1], cpu: 5, for: 40 }, clock: { hosts: [s1], jump: 60000 },
  #   diskFull: s1 (with dataDir: true); with backends: [netns] also
  #   partition: [[s1], [alice, bob, carol]], partition: { from: [s1], to: [alice] } (one way),
  #   heal: true, netem: { hosts: [alice], delay: 80, loss: 5 }
  - wait: { failover: [alice, bob, carol], within: 20 }
  - wait: { converged: [alice, bob, carol], within: 10 }
  - say: { from: carol, text: after the crash }
  - wait: { delivered: true, within: 20 }
  - pause: 4                                               # oneHost looks at the last 3 intervals

expect:
  - exactlyOnce: true          # every post to every present member once, in the host's order
  - noAckedPostLost: true      # every post its author saw echoed reached every survivor once
  - failoverWithin: 6          # the members rejoined within 6 intervals of the kill
  - neverSplit: true           # at no moment did two peers announce #room
  - oneHost: '#room'           # at the end one peer announces #room, every member is on it
`;
}

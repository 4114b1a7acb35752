import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './config.js';
import { hostLimitsOf } from './server.js';

describe('hostLimitsOf', () => {
  it('passes every limit flag to the host service under its own name', () => {
    const config = parseServerConfig(
      [
        ...['--max-frame-bytes', '1001', '--max-connections', '1002', '--max-connections-per-ip', '1003'],
        ...['--idle-timeout', '1004', '--send-queue-bytes', '2005', '--flood-rate', '1006', '--flood-burst', '1007'],
        ...['--history-per-channel', '1008', '--max-channels', '1009', '--max-members-per-channel', '1010'],
        ...['--flood-max-dropped', '1011', '--close-timeout', '1012', '--max-invite-ids', '1013', '--invites-per-second', '1014'],
        ...['--max-admitted-per-channel', '1019', '--max-private-channels', '1020', '--private-creations-per-hour', '1021', '--private-creation-burst', '1022'],
        ...['--host-invites-per-second', '1018', '--replace-check', '1015', '--channel-creations-per-second', '1016', '--channel-creation-burst', '1017'],
        ...['--flood-rate-per-ip', '1018', '--flood-burst-per-ip', '1019', '--connection-rate-per-ip', '1020', '--connection-burst-per-ip', '1021'],
        ...['--fanout-rate-per-channel', '1022', '--fanout-burst-per-channel', '1023'],
      ],
      {},
    );
    expect(hostLimitsOf(config)).toEqual({
      maxFrameBytes: 1001,
      maxConnections: 1002,
      maxConnectionsPerIp: 1003,
      idleTimeoutMs: 1004,
      maxSendQueueBytes: 2005,
      floodRate: 1006,
      floodBurst: 1007,
      floodMaxDropped: 1011,
      closeTimeoutMs: 1012,
      historyLimit: 1008,
      maxChannels: 1009,
      maxMembersPerChannel: 1010,
      maxInviteIds: 1013,
      invitesPerSecond: 1014,
      hostInvitesPerSecond: 1018,
      maxAdmittedPerChannel: 1019,
      maxPrivateChannels: 1020,
      replaceCheckMs: 1015,
      channelCreationsPerSecond: 1016,
      channelCreationBurst: 1017,
      privateCreationsPerHour: 1021,
      privateCreationBurst: 1022,
      floodRatePerIp: 1018,
      floodBurstPerIp: 1019,
      connectionRatePerIp: 1020,
      connectionBurstPerIp: 1021,
      fanoutRatePerChannel: 1022,
      fanoutBurstPerChannel: 1023,
    });
  });
});

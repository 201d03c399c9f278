/** Names of this plugin's entries in ctx.secrets, one set per transfer. */
export const secretNames = {
  /** source: the ephemeral private key (OpenSSH format) */
  sshKey: (transferId: string) => `sftp.${transferId}.ssh-key`,
  /** source: the destination's forPeer (holds the grant token), kept for resume and recover */
  peer: (transferId: string) => `sftp.${transferId}.peer`,
  /** destination: the grant token, so a retried prepare returns the same forPeer */
  grantToken: (transferId: string) => `sftp.${transferId}.grant-token`,
};

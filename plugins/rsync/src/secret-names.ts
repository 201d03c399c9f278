/** Names of this plugin's entries in ctx.secrets. */
export const secretNames = {
  /** source: the ephemeral private key (OpenSSH format) for one transfer */
  sshKey: (transferId: string) => `rsync.${transferId}.ssh-key`,
};

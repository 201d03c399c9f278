import { PrepareTransferHandler } from './commands/prepare-transfer.handler';
import { TriggerTransferHandler } from './commands/trigger-transfer.handler';
import { ControlTransferHandler } from './commands/control-transfer.handler';
import { FinalizeTransferHandler } from './commands/finalize-transfer.handler';
import { GetTransferStatusHandler } from './queries/get-transfer-status.handler';
import { BrowseDriveHandler } from './queries/browse-drive.handler';

export const transferCommandHandlers = [PrepareTransferHandler, TriggerTransferHandler, ControlTransferHandler, FinalizeTransferHandler];
export const transferQueryHandlers = [GetTransferStatusHandler, BrowseDriveHandler];

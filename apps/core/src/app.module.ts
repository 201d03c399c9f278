import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AccessPointsController } from './access-points/access-points.controller';
import { ListAccessPointsHandler } from './access-points/queries/list-access-points.handler';
import { ADMIN_CONTROLLERS, ADMIN_PROVIDERS } from './admin/admin.providers';
import { TokenGuard } from './auth/token.guard';
import { CORE_CONFIG, CoreConfig } from './config/core-config';
import { CoreInstance } from './config/core-instance';
import { CORE_KEYS, CoreKeys } from './config/core-keys';
import { validationPipe } from './common/validation.pipe';
import { DriveAccess } from './drives/drive-access.service';
import { DriveController } from './drives/drive.controller';
import { BrowseDriveHandler } from './drives/queries/browse-drive.handler';
import { ListDrivesHandler } from './drives/queries/list-drives.handler';
import { DomainExceptionFilter } from './errors/domain-exception.filter';
import { TaskEventsPublisher } from './events/task-events.publisher';
import { RecordProgressBatchHandler } from './gateway-api/commands/record-progress-batch.handler';
import { RecordProgressHandler } from './gateway-api/commands/record-progress.handler';
import { ProgressApplier } from './gateway-api/progress-applier.service';
import { GatewayProgressController } from './gateway-api/gateway-progress.controller';
import { GatewaySignatureGuard } from './gateway-api/gateway-signature.guard';
import { GatewayClient } from './gateway/gateway.client';
import { HealthController } from './health/health.controller';
import { CheckReadinessHandler } from './health/queries/check-readiness.handler';
import { ProviderRegistry } from './gateway/provider-registry.service';
import { CleanupGatewaysHandler } from './lifecycle/commands/cleanup-gateways.handler';
import { FinalizeTransferHandler } from './lifecycle/commands/finalize-transfer.handler';
import { CheckStaleTaskHandler } from './lifecycle/commands/check-stale-task.handler';
import { TaskLifecycleSaga } from './lifecycle/sagas/task-lifecycle.saga';
import { CoreMetrics } from './metrics/core-metrics.service';
import { MetricsTokenGuard } from './metrics/metrics-token.guard';
import { MetricsController } from './metrics/metrics.controller';
import { PersistenceModule } from './persistence/persistence.module';
import { ListProvidersHandler } from './providers/queries/list-providers.handler';
import { ProviderController } from './providers/provider.controller';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { SeedService } from './seed/seed.service';
import { SweeperService } from './sweeper/sweeper.service';
import { ControlTaskHandler } from './tasks/commands/control-task.handler';
import { GetTaskHandler } from './tasks/queries/get-task.handler';
import { ListTasksHandler } from './tasks/queries/list-tasks.handler';
import { TaskEventsController } from './tasks/task-events.controller';
import { TaskLeases } from './tasks/task-leases.service';
import { TaskStreamHub } from './tasks/task-stream.hub';
import { TaskController } from './tasks/task.controller';
import { CreateTransferHandler } from './transfers/commands/create-transfer.handler';
import { ResumeNegotiationHandler } from './transfers/commands/resume-negotiation.handler';
import { TriggerTransferHandler } from './transfers/commands/trigger-transfer.handler';
import { NegotiationService } from './transfers/negotiation.service';
import { GetTransferHandler } from './transfers/queries/get-transfer.handler';
import { TransferController } from './transfers/transfer.controller';
import { TriggerRelay } from './transfers/trigger-relay.service';
import { CreateTunnelHandler } from './tunnels/commands/create-tunnel.handler';
import { TriggerTunnelHandler } from './tunnels/commands/trigger-tunnel.handler';
import { GetTunnelHandler } from './tunnels/queries/get-tunnel.handler';
import { ListTunnelsHandler } from './tunnels/queries/list-tunnels.handler';
import { TunnelController } from './tunnels/tunnel.controller';
import { MeController } from './users/me.controller';

const COMMAND_HANDLERS = [
  CreateTransferHandler,
  ResumeNegotiationHandler,
  TriggerTransferHandler,
  CreateTunnelHandler,
  TriggerTunnelHandler,
  ControlTaskHandler,
  RecordProgressHandler,
  RecordProgressBatchHandler,
  FinalizeTransferHandler,
  CheckStaleTaskHandler,
  CleanupGatewaysHandler,
];
const QUERY_HANDLERS = [
  GetTransferHandler,
  GetTunnelHandler,
  ListTunnelsHandler,
  ListAccessPointsHandler,
  ListTasksHandler,
  GetTaskHandler,
  ListDrivesHandler,
  BrowseDriveHandler,
  ListProvidersHandler,
  CheckReadinessHandler,
];
const EVENT_HANDLERS = [TaskStreamHub];
const SAGAS = [TaskLifecycleSaga];

/**
 * The core, assembled for one configuration. Controllers only dispatch commands and queries;
 * handlers use the repositories (PersistenceModule) and the gateway client.
 * The event stream controller is listed before the task controller so /api/tasks/events is
 * matched before /api/tasks/:id. Global guards run in the order listed: TokenGuard (who), then
 * RateLimitGuard (per token).
 */
@Module({})
export class CoreModule {
  static forRoot(config: CoreConfig, keys: CoreKeys): DynamicModule {
    return {
      module: CoreModule,
      imports: [CqrsModule.forRoot(), PersistenceModule.forRoot(config)],
      controllers: [
        TransferController,
        TunnelController,
        AccessPointsController,
        TaskEventsController,
        TaskController,
        DriveController,
        ProviderController,
        MeController,
        GatewayProgressController,
        HealthController,
        MetricsController,
        ...ADMIN_CONTROLLERS,
      ],
      providers: [
        { provide: CORE_CONFIG, useValue: config },
        { provide: CORE_KEYS, useValue: keys },
        { provide: APP_GUARD, useClass: TokenGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_PIPE, useValue: validationPipe },
        CoreInstance,
        CoreMetrics,
        MetricsTokenGuard,
        TaskLeases,
        GatewayClient,
        ProviderRegistry,
        DriveAccess,
        NegotiationService,
        TriggerRelay,
        TaskEventsPublisher,
        GatewaySignatureGuard,
        ProgressApplier,
        SeedService,
        SweeperService,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
        ...EVENT_HANDLERS,
        ...SAGAS,
        ...ADMIN_PROVIDERS,
      ],
    };
  }
}

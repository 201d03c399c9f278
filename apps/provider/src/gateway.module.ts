import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway-config';
import { GATEWAY_KEYS, type GatewayKeys } from './keys/gateway-keys';
import { WellKnownController } from './keys/well-known.controller';
import { gatewayDataSourceOptions } from './persistence/data-source.options';
import { TransferRepository } from './persistence/transfer.repository';
import { PluginHost } from './plugins/plugin-host.service';
import { PluginMetrics } from './plugins/plugin-metrics';
import { PolicyService } from './policy/policy.service';
import { CoreClient } from './progress/core-client.service';
import { TransferRuntime } from './runtime/transfer-runtime.service';
import { SignedRequestGuard } from './signing/signed-request.guard';
import { RawBodyMiddleware } from './http/raw-body.middleware';
import { DomainExceptionFilter } from './errors/domain-exception.filter';
import { TransferFinalizer } from './lifecycle/transfer-finalizer.service';
import { ExpirySweep } from './lifecycle/expiry-sweep.service';
import { TransferRecovery } from './lifecycle/transfer-recovery.service';
import { TransfersController } from './transfers/transfers.controller';
import { AccessPointsController } from './access-points/access-points.controller';
import { ListAccessPointsHandler } from './access-points/queries/list-access-points.handler';
import { OperationsRepository } from './persistence/operations.repository';
import { HealthController } from './operations/health.controller';
import { MetricsController } from './operations/metrics.controller';
import { GatewayMetrics } from './operations/gateway-metrics.service';
import { MetricsTokenGuard } from './operations/metrics-token.guard';
import { CheckReadinessHandler } from './operations/queries/check-readiness.handler';
import { transferCommandHandlers, transferQueryHandlers } from './transfers/transfer-handlers';

/** Everything the gateway runs, configured from one validated GatewayConfig and its keys. */
@Module({})
export class GatewayModule implements NestModule {
  static forRoot(config: GatewayConfig, keys: GatewayKeys): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        CqrsModule.forRoot(),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...gatewayDataSourceOptions(config), retryAttempts: 2, retryDelay: 500 }),
        }),
      ],
      controllers: [WellKnownController, TransfersController, AccessPointsController, HealthController, MetricsController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_KEYS, useValue: keys },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        TransferRepository,
        PluginMetrics,
        PluginHost,
        PolicyService,
        CoreClient,
        TransferRuntime,
        SignedRequestGuard,
        TransferFinalizer,
        ExpirySweep,
        TransferRecovery,
        ...transferCommandHandlers,
        ...transferQueryHandlers,
        ListAccessPointsHandler,
        OperationsRepository,
        GatewayMetrics,
        MetricsTokenGuard,
        CheckReadinessHandler,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer) {
    consumer.apply(RawBodyMiddleware).forRoutes('*');
  }
}

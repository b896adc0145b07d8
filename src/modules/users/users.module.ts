import { Module } from '@nestjs/common';
import { CustomerShopsController } from './customer-shops.controller.js';
import { CustomerShopsRepository } from './customer-shops.repository.js';
import { CustomerShopsService } from './customer-shops.service.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [UsersController, CustomerShopsController],
  providers: [UsersService, UsersRepository, CustomerShopsService, CustomerShopsRepository],
  exports: [UsersService, UsersRepository, CustomerShopsService, CustomerShopsRepository],
})
export class UsersModule {}

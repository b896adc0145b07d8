import { ApiProperty } from '@nestjs/swagger';
import { IsPhone } from '../../../common/http/phone.js';

export class LookupQueryDto {
  @ApiProperty({ example: '9876543210' })
  @IsPhone()
  phone: string;
}

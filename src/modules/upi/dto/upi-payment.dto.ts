import { ApiProperty } from '@nestjs/swagger';

/** A UPI payment request for a bill or an account's whole due: the link and where its QR code is. */
export class UpiPaymentDto {
  @ApiProperty({
    example:
      'upi://pay?pa=ravikirana@oksbi&pn=Ravi%20Kirana&am=250.50&cu=INR&tn=Bill%2042%20Ravi%20Kirana&tr=GSB42',
    description: "NPCI's UPI deep link; opening it starts the payment in the payer's UPI app.",
  })
  link: string;
  @ApiProperty({ example: 250.5, description: 'What the link asks for, in rupees (the amount still due).' })
  amount: number;
  @ApiProperty({ example: 25050 }) amount_paise: number;
  @ApiProperty({
    example: 'GSB42',
    description:
      'The `tr` reference: `GSB<transaction id>` for a bill, `GSA<account id>` for an account. A payment ' +
      'recorded with it as `reference_number` is matched to that bill or account.',
  })
  reference: string;
  @ApiProperty({ example: 'ravikirana@oksbi' }) payee_vpa: string;
  @ApiProperty({ example: 'Ravi Kirana' }) payee_name: string;
  @ApiProperty({ example: 'Bill 42 Ravi Kirana', description: 'The `tn` note the payer sees.' }) note: string;
  @ApiProperty({ example: '/api/v2/transactions/42/upi.png', description: 'The link as a QR code (PNG).' })
  qr_png_url: string;
  @ApiProperty({ example: '/api/v2/transactions/42/upi.svg', description: 'The link as a QR code (SVG).' })
  qr_svg_url: string;
}

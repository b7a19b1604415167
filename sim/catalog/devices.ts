/**
 * GPU figures from vendor datasheets (NVIDIA A100 and H100 SXM datasheets: dense FP16/BF16 tensor
 * throughput, HBM capacity and bandwidth). Host-link bandwidth is the effective PCIe figure used for
 * KV swapping; costs are teaching defaults, not quotes.
 */
import { z } from 'zod';

export const DeviceName = z.enum(['a100', 'a100-40gb', 'h100']);
export type DeviceName = z.infer<typeof DeviceName>;

export interface DeviceSpec {
  readonly name: DeviceName;
  /** Memory in GiB, as Vidur counts it (total_memory_gb × 1024³ bytes). */
  readonly memoryGiB: number;
  /** Dense FP16 tensor-core peak, TFLOP/s. */
  readonly fp16Tflops: number;
  /** HBM bandwidth, GB/s (10⁹ bytes). */
  readonly memoryBandwidthGBs: number;
  /** Effective host-to-device bandwidth for KV swaps, GB/s. */
  readonly pcieBandwidthGBs: number;
  /** GPU-hour price in dollars: $8 per 4-GPU A100 node-hour (the autoscaling lab's figure) → $2. */
  readonly costPerGpuHour: number;
}

export const DEVICES: Readonly<Record<DeviceName, DeviceSpec>> = {
  // A100 SXM4 80GB: 312 TFLOPS FP16, 2,039 GB/s HBM2e; PCIe 4.0 x16 ≈ 25 GB/s effective.
  a100: {
    name: 'a100',
    memoryGiB: 80,
    fp16Tflops: 312,
    memoryBandwidthGBs: 2039,
    pcieBandwidthGBs: 25,
    costPerGpuHour: 2,
  },
  // A100 SXM4 40GB: 312 TFLOPS FP16, 1,555 GB/s HBM2.
  'a100-40gb': {
    name: 'a100-40gb',
    memoryGiB: 40,
    fp16Tflops: 312,
    memoryBandwidthGBs: 1555,
    pcieBandwidthGBs: 25,
    costPerGpuHour: 2,
  },
  // H100 SXM5 80GB: 989 TFLOPS dense FP16, 3,350 GB/s HBM3; PCIe 5.0 x16 ≈ 50 GB/s effective.
  h100: {
    name: 'h100',
    memoryGiB: 80,
    fp16Tflops: 989,
    memoryBandwidthGBs: 3350,
    pcieBandwidthGBs: 50,
    costPerGpuHour: 4,
  },
};

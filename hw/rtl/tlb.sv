// Set-associative TLB array: the RTL twin of mmvp::TlbArray (hw/mmu/tlb.h).
//
// Parameters
//   ENTRIES   total entries; ENTRIES / WAYS sets, a power of two
//   WAYS      ways per set (== ENTRIES: fully associative; 1: direct mapped)
//   POLICY    0 true LRU, 1 tree-PLRU (WAYS a power of two)
//   SIZES     page sizes held: bit 0 4K, bit 1 2M, bit 2 1G (TlbArrayConfig::sizes)
//   VPN_BITS  stored VPN width (45 covers LA57; the VPN is la >> page shift, truncated)
//   PFN_BITS  stored PFN width (40 covers MAXPHYADDR 52)
//   DEBUG     1: the dbg_* read port and drop counter exist (co-simulation only);
//             0: they are tied to zero and synthesise away (area runs)
//
// Entry flags (fill_flags, resp_flags, victim_flags):
//   bit 0 writable, 1 user, 2 nx, 3 dirty, 4 global, 5 PWT, 6 PCD
//
// Behaviour: one request per cycle, all state changes on the rising edge of clk.
//   Priority: flush and invalidate (always accepted, they may coincide: both only
//   clear valid bits, so their order does not matter) > fill > lookup. The ready
//   signals expose this: fill_ready = !flush_valid && !invalidate_valid,
//   lookup_ready = fill_ready && !fill_valid; both are low during reset.
//   Lookup: searches the set of lookup_vpn for a valid entry with the same VPN and
//     page size; on a hit the way becomes most recently used. resp_valid, resp_hit,
//     resp_pfn, resp_flags are registered: valid the cycle after acceptance.
//   Fill: if the page (VPN and size) is present, the entry is rewritten in place and
//     touched, no victim. Otherwise the lowest-numbered invalid way is written, or,
//     when the set is full, the LRU / tree-PLRU victim; victim_valid and victim_* are
//     registered (the cycle after) and describe the displaced valid entry.
//   Invalidate (INVLPG): drops every entry, global or not, of every held size that
//     maps invalidate_addr (a 64-bit linear address). Replacement state is unchanged.
//   Flush: drops every valid entry, or every non-global one if flush_keep_global.
//   Replacement: LRU keeps a rank per way (0 most recent) permuting the ways of a
//     set; tree-PLRU keeps WAYS-1 node bits per set in heap order (node n has children
//     2n, 2n+1; bit 0 means the next victim is in the left half); a use of way w points
//     every node on w's path away from w. Neither is touched by invalidation.
//
// Timing (one lookup hit, then a fill that evicts):
//   clk            _/~\_/~\_/~\_/~\_
//   lookup_valid   _/~~~\___________
//   resp_valid     _____/~~~\_______
//   fill_valid     _____/~~~\_______
//   victim_valid   _________/~~~\___
module tlb #(
    parameter int ENTRIES  = 64,
    parameter int WAYS     = 4,
    parameter int POLICY   = 0,
    parameter int SIZES    = 1,
    parameter int VPN_BITS = 45,
    parameter int PFN_BITS = 40,
    parameter int DEBUG    = 1
) (
    input  logic                clk,
    input  logic                rst_n,
    // lookup
    input  logic                lookup_valid,
    output logic                lookup_ready,
    input  logic [VPN_BITS-1:0] lookup_vpn,
    input  logic [         1:0] lookup_size,
    output logic                resp_valid,
    output logic                resp_hit,
    output logic [PFN_BITS-1:0] resp_pfn,
    output logic [         6:0] resp_flags,
    // fill
    input  logic                fill_valid,
    output logic                fill_ready,
    input  logic [VPN_BITS-1:0] fill_vpn,
    input  logic [         1:0] fill_size,
    input  logic [PFN_BITS-1:0] fill_pfn,
    input  logic [         6:0] fill_flags,
    output logic                victim_valid,
    output logic [VPN_BITS-1:0] victim_vpn,
    output logic [         1:0] victim_size,
    output logic [PFN_BITS-1:0] victim_pfn,
    output logic [         6:0] victim_flags,
    // INVLPG and flushes
    input  logic                invalidate_valid,
    input  logic [        63:0] invalidate_addr,
    input  logic                flush_valid,
    input  logic                flush_keep_global,
    // debug read port (DEBUG = 1)
    input  logic [        15:0] dbg_set,
    input  logic [         7:0] dbg_way,
    output logic                dbg_valid,
    output logic [VPN_BITS-1:0] dbg_vpn,
    output logic [         1:0] dbg_size,
    output logic [PFN_BITS-1:0] dbg_pfn,
    output logic [         6:0] dbg_flags,
    output logic [        15:0] dbg_dropped
);
  localparam int SETS = ENTRIES / WAYS;
  localparam int IDX = SETS > 1 ? $clog2(SETS) : 0;
  localparam int IDXW = IDX > 0 ? IDX : 1;  // width of a set-index signal
  localparam int WB = WAYS > 1 ? $clog2(WAYS) : 1;  // width of a way-index signal
  localparam int TAG = VPN_BITS - IDX;
  localparam int EB = ENTRIES > 1 ? $clog2(ENTRIES) : 1;  // width of an entry index
  localparam int GLOBAL = 4;  // flag bit

  // Storage: entry e is way (e % WAYS) of set (e / WAYS).
  logic [ENTRIES-1:0] valid_q;
  logic [TAG-1:0] tag_q[ENTRIES];
  logic [1:0] size_q[ENTRIES];
  logic [PFN_BITS-1:0] pfn_q[ENTRIES];
  logic [6:0] flags_q[ENTRIES];

  // Only the index bits of the VPN are read (by design), hence the waiver.
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic [IDXW-1:0] set_of(input logic [VPN_BITS-1:0] vpn);
    set_of = IDX > 0 ? vpn[IDXW-1:0] : '0;
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */
  function automatic logic [TAG-1:0] tag_of(input logic [VPN_BITS-1:0] vpn);
    tag_of = TAG'(vpn >> IDX);
  endfunction

  // ---- request arbitration --------------------------------------------------------
  assign fill_ready = rst_n && !flush_valid && !invalidate_valid;
  assign lookup_ready = fill_ready && !fill_valid;
  wire do_fill = fill_valid && fill_ready;
  wire do_lookup = lookup_valid && lookup_ready;

  // ---- lookup match ------------------------------------------------------------------
  wire [IDXW-1:0] lk_set = set_of(lookup_vpn);
  logic [WAYS-1:0] lk_match;
  logic [WB-1:0] lk_way;
  always_comb begin
    lk_match = '0;
    lk_way = '0;
    for (int w = 0; w < WAYS; w++) begin
      logic [EB-1:0] e;
      e = EB'(32'(lk_set) * WAYS + w);
      if (valid_q[e] && tag_q[e] == tag_of(lookup_vpn) && size_q[e] == lookup_size) begin
        lk_match[w] = 1'b1;
        lk_way = WB'(w);
      end
    end
  end

  // ---- fill: page present, invalid way, replacement victim ----------------------------
  wire [IDXW-1:0] fl_set = set_of(fill_vpn);
  logic fl_present, fl_has_invalid;
  logic [WB-1:0] fl_present_way, fl_invalid_way, fl_repl_way, fl_way;
  always_comb begin
    fl_present = 1'b0;
    fl_present_way = '0;
    fl_has_invalid = 1'b0;
    fl_invalid_way = '0;
    for (int w = WAYS - 1; w >= 0; w--) begin  // downwards: the lowest index wins
      logic [EB-1:0] e;
      e = EB'(32'(fl_set) * WAYS + w);
      if (valid_q[e] && tag_q[e] == tag_of(fill_vpn) && size_q[e] == fill_size) begin
        fl_present = 1'b1;
        fl_present_way = WB'(w);
      end
      if (!valid_q[e]) begin
        fl_has_invalid = 1'b1;
        fl_invalid_way = WB'(w);
      end
    end
    fl_way = fl_present ? fl_present_way : fl_has_invalid ? fl_invalid_way : fl_repl_way;
  end
  wire [ENTRIES-1:0] fl_evicts_onehot = ENTRIES'(do_fill && !fl_present && !fl_has_invalid)
      << (32'(fl_set) * WAYS + 32'(fl_way));
  wire fl_evicts = |fl_evicts_onehot;
  wire [EB-1:0] fl_entry = EB'(32'(fl_set) * WAYS + 32'(fl_way));

  // The way whose use updates replacement state this cycle, if any.
  wire touch_en = do_fill || (do_lookup && |lk_match);
  wire [IDXW-1:0] touch_set = do_fill ? fl_set : lk_set;
  wire [WB-1:0] touch_way = do_fill ? fl_way : lk_way;

  // ---- replacement state --------------------------------------------------------------
  generate
    if (POLICY == 1 && WAYS > 1) begin : g_plru
      // node bits 1 .. WAYS-1 of each set; bit 0 of the vector is unused (tied to 0)
      logic [WAYS-1:0] plru_q[SETS];
      always_comb begin
        int node;
        logic [WAYS-1:0] bits;
        bits = plru_q[fl_set];
        node = 1;
        for (int l = 0; l < WB; l++) node = 2 * node + 32'(bits[node]);
        fl_repl_way = WB'(node - WAYS);
      end
      // the touched set's node bits after the use of touch_way
      logic [WAYS-1:0] touch_bits;
      always_comb begin
        int node;
        touch_bits = plru_q[touch_set];
        node = 1;
        for (int l = WB - 1; l >= 0; l--) begin
          touch_bits[node] = !touch_way[l];
          node = 2 * node + 32'(touch_way[l]);
        end
      end
      for (genvar gs = 0; gs < SETS; gs++) begin : g_set
        always_ff @(posedge clk or negedge rst_n) begin
          if (!rst_n) plru_q[gs] <= '0;
          else if (touch_en && 32'(touch_set) == gs) plru_q[gs] <= touch_bits;
        end
      end
    end else begin : g_lru
      // rank of each entry within its set: 0 most recently used, WAYS-1 least
      logic [WB-1:0] rank_q[ENTRIES];
      always_comb begin
        fl_repl_way = '0;
        for (int w = 0; w < WAYS; w++)
          if (rank_q[32'(fl_set)*WAYS+w] == WB'(WAYS - 1)) fl_repl_way = WB'(w);
      end
      wire [WB-1:0] touch_rank = rank_q[32'(touch_set)*WAYS+32'(touch_way)];
      for (genvar ge = 0; ge < ENTRIES; ge++) begin : g_entry
        always_ff @(posedge clk or negedge rst_n) begin
          if (!rst_n) begin
            rank_q[ge] <= WB'(ge % WAYS);
          end else if (touch_en && WAYS > 1 && 32'(touch_set) == ge / WAYS) begin
            if (WB'(ge % WAYS) == touch_way) rank_q[ge] <= '0;
            else if (rank_q[ge] < touch_rank) rank_q[ge] <= rank_q[ge] + 1'b1;
          end
        end
      end
    end
  endgenerate

  // ---- invalidation and flush ----------------------------------------------------------
  logic [ENTRIES-1:0] drop;
  always_comb begin
    drop = '0;
    for (int e = 0; e < ENTRIES; e++) begin
      if (flush_valid && valid_q[e] && !(flush_keep_global && flags_q[e][GLOBAL])) drop[e] = 1'b1;
      for (int s = 0; s < 3; s++) begin
        logic [VPN_BITS-1:0] vpn;
        vpn = VPN_BITS'(invalidate_addr >> (12 + 9 * s));
        if (((SIZES >> s) & 1) != 0 && invalidate_valid && valid_q[e] &&
            32'(set_of(vpn)) == e / WAYS && tag_q[e] == tag_of(vpn) && size_q[e] == 2'(s))
          drop[e] = 1'b1;
      end
    end
  end

  // ---- state update ----------------------------------------------------------------------
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      valid_q <= '0;
    end else begin
      valid_q <= valid_q & ~drop;
      if (do_fill) valid_q[fl_entry] <= 1'b1;
    end
  end
  always_ff @(posedge clk) begin
    if (do_fill) begin
      tag_q[fl_entry]   <= tag_of(fill_vpn);
      size_q[fl_entry]  <= fill_size;
      pfn_q[fl_entry]   <= fill_pfn;
      flags_q[fl_entry] <= fill_flags;
    end
  end

  // ---- registered responses ----------------------------------------------------------------
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      resp_valid   <= 1'b0;
      resp_hit     <= 1'b0;
      victim_valid <= 1'b0;
    end else begin
      resp_valid   <= do_lookup;
      resp_hit     <= do_lookup && |lk_match;
      victim_valid <= fl_evicts;
    end
  end
  always_ff @(posedge clk) begin
    if (do_lookup) begin
      resp_pfn   <= pfn_q[32'(lk_set)*WAYS+32'(lk_way)];
      resp_flags <= flags_q[32'(lk_set)*WAYS+32'(lk_way)];
    end
    if (do_fill) begin
      victim_vpn   <= VPN_BITS'({tag_q[fl_entry], fl_set} >> (IDXW - IDX));
      victim_size  <= size_q[fl_entry];
      victim_pfn   <= pfn_q[fl_entry];
      victim_flags <= flags_q[fl_entry];
    end
  end

  // ---- debug read port -------------------------------------------------------------------
  generate
    if (DEBUG != 0) begin : g_debug
      wire in_range = 32'(dbg_set) < SETS && 32'(dbg_way) < WAYS;
      wire [EB-1:0] de = in_range ? EB'(32'(dbg_set) * WAYS + 32'(dbg_way)) : '0;
      assign dbg_valid = in_range && valid_q[de];
      assign dbg_vpn   = in_range ? VPN_BITS'({tag_q[de], IDXW'(dbg_set)} >> (IDXW - IDX)) : '0;
      assign dbg_size  = in_range ? size_q[de] : '0;
      assign dbg_pfn   = in_range ? pfn_q[de] : '0;
      assign dbg_flags = in_range ? flags_q[de] : '0;
      always_ff @(posedge clk or negedge rst_n) begin
        if (!rst_n) dbg_dropped <= '0;
        else dbg_dropped <= 16'($countones(drop & valid_q));
      end
    end else begin : g_nodebug
      assign dbg_valid   = 1'b0;
      assign dbg_vpn     = '0;
      assign dbg_size    = '0;
      assign dbg_pfn     = '0;
      assign dbg_flags   = '0;
      assign dbg_dropped = '0;
      wire unused = &{1'b0, dbg_set, dbg_way};
    end
  endgenerate
endmodule

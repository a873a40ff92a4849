; Definitions that become segments: @definition.<kind> on the node, @name on its name.
; Functions inside impl / trait blocks become methods; an impl is named after its self type.

(struct_item name: (type_identifier) @name) @definition.struct

(union_item name: (type_identifier) @name) @definition.struct

(enum_item name: (type_identifier) @name) @definition.enum

(trait_item name: (type_identifier) @name) @definition.trait

(impl_item type: (_) @name) @definition.impl

(mod_item name: (identifier) @name body: (declaration_list)) @definition.module

(type_item name: (type_identifier) @name) @definition.type

(function_item name: (identifier) @name) @definition.function
